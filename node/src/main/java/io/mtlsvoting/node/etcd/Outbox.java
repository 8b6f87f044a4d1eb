package io.mtlsvoting.node.etcd;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link EtcdWriter}'s pending commits while it runs, oldest first. Mutable, so that an event
 * costs the same however many commits wait (an etcd outage queues one per decided tx); only the
 * writer's actor touches it, and snapshots go to the store as an immutable {@link OutboxState} copy
 * taken on that actor (see {@link EtcdWriter#snapshotAdapter()}).
 */
final class Outbox {

  private final Map<String, OutboxState.Pending> pending;

  private Outbox(Map<String, OutboxState.Pending> pending) {
    this.pending = pending;
  }

  /** Nothing pending. */
  static Outbox empty() {
    return new Outbox(new LinkedHashMap<>());
  }

  /** The outbox a snapshot holds. */
  static Outbox of(OutboxState snapshot) {
    return new Outbox(new LinkedHashMap<>(snapshot.pending()));
  }

  /** Applies {@code event} in place and returns this outbox. */
  Outbox apply(OutboxEvent event) {
    if (event instanceof OutboxEvent.CommitQueued q) {
      pending.put(q.txId(), new OutboxState.Pending(q.txId(), q.qcJson(), q.value()));
    } else if (event instanceof OutboxEvent.CommitDone d) {
      pending.remove(d.txId());
    }
    return this;
  }

  boolean contains(String txId) {
    return pending.containsKey(txId);
  }

  /** The pending commit of {@code txId}, or null. */
  OutboxState.Pending get(String txId) {
    return pending.get(txId);
  }

  /** The pending commits, oldest first (a read-only view). */
  Collection<OutboxState.Pending> inOrder() {
    return Collections.unmodifiableCollection(pending.values());
  }

  int size() {
    return pending.size();
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** An immutable copy, for the snapshot store. */
  OutboxState snapshot() {
    return new OutboxState(pending);
  }
}
