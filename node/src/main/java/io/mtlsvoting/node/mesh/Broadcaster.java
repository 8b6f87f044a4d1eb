package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.Message;

/**
 * Sends messages to connected peers through bounded per-peer queues. Never blocks: a message for a
 * peer whose queue is full or that is not connected is dropped and counted in its {@link
 * PeerStatus#drops()}.
 */
public interface Broadcaster {
  /** Queues {@code message} for every connected peer. */
  void broadcast(Message message);

  /** Queues {@code message} for peer {@code nodeId}; false if it was dropped. */
  boolean sendTo(int nodeId, Message message);

  /**
   * True while peer {@code nodeId} has a live connection (what is sent to it may still be lost).
   */
  boolean connected(int nodeId);
}
