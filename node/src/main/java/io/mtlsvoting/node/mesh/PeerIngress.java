package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.Message;

/** Receives every decoded message from an authenticated, Hello-completed peer connection. */
public interface PeerIngress {
  /**
   * Hands over one message; called from stream threads, so implementations must not block.
   *
   * @param authenticatedPeerId the node id taken from the peer's verified certificate
   * @param message the decoded message
   */
  void deliver(int authenticatedPeerId, Message message);
}
