package io.mtlsvoting.protocol;

import java.util.List;
import java.util.Map;

/** Answer to {@link MonitorRequest}: one point-in-time view of a node for the live monitor. */
public record MonitorSnapshot(
    long requestId,
    int nodeId,
    long atMillis,
    Map<String, String> health,
    Map<String, Long> counters,
    List<PeerView> peers,
    List<TxSummary> openTransactions,
    List<ViolationView> recentViolations)
    implements ClientReply {
  public MonitorSnapshot {
    health = Map.copyOf(health);
    counters = Map.copyOf(counters);
    peers = List.copyOf(peers);
    openTransactions = List.copyOf(openTransactions);
    recentViolations = List.copyOf(recentViolations);
  }
}
