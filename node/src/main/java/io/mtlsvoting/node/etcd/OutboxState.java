package io.mtlsvoting.node.etcd;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of the {@link EtcdWriter}'s {@link Outbox}: the pending commits, oldest first; done
 * entries are dropped, so snapshots hold only unfinished work. Immutable.
 */
public record OutboxState(Map<String, Pending> pending) implements EtcdSerializable {

  /** One decided tx whose QC is not yet confirmed in etcd and committed in its tally. */
  public record Pending(String txId, String qcJson, long value) implements EtcdSerializable {}

  /** Copies the map, keeping its order. */
  public OutboxState {
    pending = Collections.unmodifiableMap(new LinkedHashMap<>(pending));
  }
}
