package io.mtlsvoting.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * Answer to {@link InfoRequest}: identity, certificate, configuration with tolerated faults (see
 * {@link Quorum}), {@code health} per dependency (e.g. etcd → "UP"/"DEGRADED: ...") and counters.
 */
public record InfoReply(
    long requestId,
    int nodeId,
    String listenAddress,
    String clusterId,
    int protocolVersion,
    int totalNodes,
    int threshold,
    int safetyTolerance,
    int livenessTolerance,
    long voteTimeoutMillis,
    String certSubject,
    String certFingerprint,
    long certNotAfterMillis,
    Map<String, String> health,
    long uptimeMillis,
    Map<String, Long> counters)
    implements ClientReply {
  public InfoReply {
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(certSubject, "certSubject");
    Objects.requireNonNull(certFingerprint, "certFingerprint");
    health = Map.copyOf(health);
    counters = Map.copyOf(counters);
  }
}
