package io.mtlsvoting.node.etcd;

/** What the {@link EtcdWriter} journals under {@code node-<self>|etcd-outbox}. */
public sealed interface OutboxEvent extends EtcdSerializable {
  String txId();

  /** How a queued commit ended. */
  enum Result {
    /** The tally recorded COMMITTED. */
    COMMITTED,
    /** The tally had already committed. */
    ALREADY_COMMITTED,
    /** etcd holds another value; the tally recorded a safety alarm. */
    SAFETY_ALARM,
    /** The tally had not decided (should not happen: the QC came from it). */
    NOT_DECIDED,
    /** etcd holds a record for the tx whose value cannot be read; logged, the tally not told. */
    UNREADABLE_CONFLICT
  }

  /** The tally decided: store its QC in etcd, then commit the tally. */
  record CommitQueued(String txId, String qcJson, long value) implements OutboxEvent {}

  /** The commit is done; the entry leaves the outbox. */
  record CommitDone(String txId, Result result) implements OutboxEvent {}
}
