package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;

/**
 * Everything a {@link VoteTally} journals, each before anyone is told. Every event names its tx so
 * the audit projection can read it on its own.
 */
public sealed interface TallyEvent extends TallySerializable {
  String txId();

  /** A violation with its evidence; {@link #nodeId()} is the accused node. */
  sealed interface Violation extends TallyEvent {
    ViolationType type();

    int nodeId();
  }

  /** Rule 1: the first valid vote opened the tally; {@code deadline} = openedAt + vote-timeout. */
  record Opened(String txId, long openedAt, long deadline) implements TallyEvent {}

  /** A valid vote that now counts. */
  record VoteCounted(String txId, Vote vote) implements TallyEvent {}

  /**
   * Rule 4: {@code nodeId} signed two values; its vote leaves the counts. {@code reportedBy} is
   * this node when it saw both votes itself, else the peer whose Evidence proved it.
   */
  record DoubleVoteDetected(String txId, int nodeId, Vote first, Vote second, int reportedBy)
      implements Violation {
    @Override
    public ViolationType type() {
      return ViolationType.DOUBLE_VOTING;
    }
  }

  /**
   * The authenticated peer {@code nodeId} sent {@code rawVote}, whose signature does not verify or
   * which claims another node's identity.
   */
  record InvalidSignatureDetected(String txId, int nodeId, Vote rawVote, String reason)
      implements Violation {
    @Override
    public ViolationType type() {
      return ViolationType.INVALID_SIGNATURE;
    }
  }

  /** A node banned by the reputation authority left this open tally; droppedVote may be null. */
  record BannedVoterExcluded(String txId, int nodeId, Vote droppedVote) implements TallyEvent {}

  /** Rule 5: a value reached t; the certificate holds the t signed votes. */
  record ThresholdReached(String txId, QuorumCertificate certificate) implements TallyEvent {}

  /** Rule 5: {@code vote} dissents from the decided value. */
  record MinorityVoteDetected(String txId, int nodeId, Vote vote, long decidedValue)
      implements Violation {
    @Override
    public ViolationType type() {
      return ViolationType.MINORITY_VOTE;
    }
  }

  /** Rule 7: the vote-timeout deadline passed (recorded once). */
  record DeadlineReached(String txId, long deadline) implements TallyEvent {}

  /** Rule 7: member {@code nodeId} had not voted by {@code deadline}. */
  record SilentFailureDetected(String txId, int nodeId, long deadline) implements Violation {
    @Override
    public ViolationType type() {
      return ViolationType.SILENT_FAILURE;
    }
  }

  /** Rule 6 or 7: the tally ended without a decision; outcome is one of the ABORTED_ phases. */
  record Aborted(String txId, Phase outcome, String reason) implements TallyEvent {}

  /** Rule 8: etcd holds the same value under the tx. */
  record Committed(String txId, long value) implements TallyEvent {}

  /** Rule 8: etcd holds a different value than the one this node decided. */
  record SafetyAlarm(String txId, long localValue, long storedValue) implements TallyEvent {}
}
