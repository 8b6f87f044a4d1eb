package io.mtlsvoting.node.etcd;

import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteVerifier;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A ban as published under {@code banned/<nodeId>}: who is banned, for what, by whom and when, with
 * the signed votes that prove it (both votes of a double vote; the raw vote of an invalid
 * signature, which proves nothing to a third party).
 *
 * @param nodeId the banned node
 * @param violation why
 * @param txId the transaction where it happened
 * @param reason human-readable detail
 * @param bannedBy the node that published the ban
 * @param bannedAt when it was published
 * @param evidence the signed votes
 */
public record BanRecord(
    int nodeId,
    ViolationType violation,
    String txId,
    String reason,
    int bannedBy,
    Instant bannedAt,
    List<Vote> evidence) {

  /** Checks for nulls and copies the evidence. */
  public BanRecord {
    Objects.requireNonNull(violation, "violation");
    Objects.requireNonNull(txId, "txId");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(bannedAt, "bannedAt");
    evidence = List.copyOf(evidence);
  }

  /**
   * Whether this record proves a double vote to anyone holding the member certificates: two votes
   * by {@link #nodeId()} for the same tx with different values, both signatures valid.
   *
   * @param verifiers the members' signature verifiers, by node id
   */
  public boolean provesDoubleVote(String clusterId, Map<Integer, VoteVerifier> verifiers) {
    if (violation != ViolationType.DOUBLE_VOTING || evidence.size() != 2) {
      return false;
    }
    Vote a = evidence.get(0);
    Vote b = evidence.get(1);
    VoteVerifier verifier = verifiers.get(nodeId);
    return verifier != null
        && a.nodeId() == nodeId
        && b.nodeId() == nodeId
        && a.txId().equals(b.txId())
        && a.value() != b.value()
        && verifier.verify(clusterId, a)
        && verifier.verify(clusterId, b);
  }
}
