package io.mtlsvoting.node.mesh;

import java.util.List;
import java.util.NoSuchElementException;

/** The peers view of a node: one {@link PeerStatus} per other member plus listener counters. */
public record Peers(int nodeId, List<PeerStatus> peers, ListenerStats listener) {
  public Peers {
    peers = List.copyOf(peers);
  }

  /** Number of peers in state CONNECTED. */
  public long connectedCount() {
    return peers.stream().filter(p -> p.state() == PeerState.CONNECTED).count();
  }

  /** The status of peer {@code id}. */
  public PeerStatus peer(int id) {
    return peers.stream()
        .filter(p -> p.nodeId() == id)
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no peer " + id));
  }
}
