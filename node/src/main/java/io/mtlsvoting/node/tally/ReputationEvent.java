package io.mtlsvoting.node.tally;

/** Everything {@link BanRegistry} journals; scores are in thousandths of the initial 1.0. */
public sealed interface ReputationEvent extends TallySerializable {
  int nodeId();

  /** A penalty for a minority or silent vote in {@code txId}. */
  record ScoreChanged(int nodeId, ViolationType cause, String txId, long scoreMillis)
      implements ReputationEvent {}

  /** The node is banned: at once for DOUBLE_VOTING/INVALID_SIGNATURE, else for a low score. */
  record Banned(int nodeId, ViolationType cause, String txId, String reason)
      implements ReputationEvent {}

  /** An operator lifted the ban; the score starts again at {@code scoreMillis}. */
  record Unbanned(int nodeId, long scoreMillis) implements ReputationEvent {}
}
