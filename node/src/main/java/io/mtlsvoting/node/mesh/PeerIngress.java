package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.Message;

/**
 * Receives every decoded message (other than Hello, Ping and Pong) from an authenticated peer that
 * has completed the Hello exchange. Called from stream threads: implementations must not block.
 */
@FunctionalInterface
public interface PeerIngress {
  /**
   * Handles {@code message} received from the peer authenticated as {@code authenticatedPeerId}.
   */
  void deliver(int authenticatedPeerId, Message message);
}
