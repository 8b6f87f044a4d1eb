package io.mtlsvoting.node.tally;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reputation of every node as seen by this node: scores in thousandths (absent = 1000, i.e. 1.0)
 * and the banned nodes with the reason of their ban. Immutable.
 */
public record ReputationState(Map<Integer, Long> scoresMillis, Map<Integer, String> banned)
    implements TallySerializable {
  public static final long INITIAL_MILLIS = 1000L;

  public ReputationState {
    scoresMillis = Collections.unmodifiableMap(new TreeMap<>(scoresMillis));
    banned = Collections.unmodifiableMap(new TreeMap<>(banned));
  }

  public static ReputationState empty() {
    return new ReputationState(Map.of(), Map.of());
  }

  public long scoreMillis(int nodeId) {
    return scoresMillis.getOrDefault(nodeId, INITIAL_MILLIS);
  }

  /** Score as a fraction: 1.0 initially. */
  public double score(int nodeId) {
    return scoreMillis(nodeId) / 1000.0;
  }

  public boolean bannedNode(int nodeId) {
    return banned.containsKey(nodeId);
  }

  public ReputationState apply(ReputationEvent event) {
    Map<Integer, Long> s = new TreeMap<>(scoresMillis);
    Map<Integer, String> b = new TreeMap<>(banned);
    if (event instanceof ReputationEvent.ScoreChanged e) {
      s.put(e.nodeId(), e.scoreMillis());
    } else if (event instanceof ReputationEvent.Banned e) {
      b.put(e.nodeId(), e.cause() + ": " + e.reason());
    } else if (event instanceof ReputationEvent.Unbanned e) {
      b.remove(e.nodeId());
      s.put(e.nodeId(), e.scoreMillis());
    }
    return new ReputationState(s, b);
  }
}
