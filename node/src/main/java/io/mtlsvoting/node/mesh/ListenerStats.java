package io.mtlsvoting.node.mesh;

import java.util.Map;
import java.util.Optional;

/**
 * Counters of the mTLS listener: connections handed to a peer, and refusals by reason category (see
 * {@link Listener}), with the last refusal's full reason.
 */
public record ListenerStats(
    long acceptedPeers, Map<String, Long> rejections, Optional<String> lastRejection) {
  public ListenerStats {
    rejections = Map.copyOf(rejections);
  }

  /** Refusals counted under {@code category}. */
  public long rejected(String category) {
    return rejections.getOrDefault(category, 0L);
  }
}
