package io.mtlsvoting.node.etcd;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@link EtcdWriter}'s pending commits, oldest first; done entries are dropped, so snapshots
 * hold only unfinished work. Immutable: {@link #apply} returns a copy.
 */
public record OutboxState(Map<String, Pending> pending) implements EtcdSerializable {

  /** One decided tx whose QC is not yet confirmed in etcd and committed in its tally. */
  public record Pending(String txId, String qcJson, long value) implements EtcdSerializable {}

  /** Copies the map, keeping its order. */
  public OutboxState {
    pending = Collections.unmodifiableMap(new LinkedHashMap<>(pending));
  }

  /** Nothing pending. */
  public static OutboxState empty() {
    return new OutboxState(Map.of());
  }

  /** The state after {@code event}. */
  public OutboxState apply(OutboxEvent event) {
    Map<String, Pending> next = new LinkedHashMap<>(pending);
    if (event instanceof OutboxEvent.CommitQueued q) {
      next.put(q.txId(), new Pending(q.txId(), q.qcJson(), q.value()));
    } else if (event instanceof OutboxEvent.CommitDone d) {
      next.remove(d.txId());
    }
    return new OutboxState(next);
  }
}
