package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * First message on every peer connection: both sides must agree on protocol version, cluster id and
 * configuration hash ({@link Protocol#configHash}) before anything else is accepted.
 */
public record Hello(int protocolVersion, String clusterId, int nodeId, String configHash)
    implements PeerMessage {
  public Hello {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(configHash, "configHash");
  }
}
