package io.mtlsvoting.protocol;

import java.util.List;

/** Answer to {@link PeersRequest}: one entry per configured peer. */
public record PeersReply(long requestId, List<PeerView> peers) implements ClientReply {
  public PeersReply {
    peers = List.copyOf(peers);
  }
}
