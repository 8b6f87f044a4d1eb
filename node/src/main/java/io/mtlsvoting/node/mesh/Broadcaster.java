package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.Message;

/** Sends messages to peers over their bounded outbound queues; never blocks. */
public interface Broadcaster {
  /** Queues the message for every connected peer; drops are counted per peer. */
  void broadcast(Message m);

  /** Queues the message for one peer; false when it is not connected or its queue is full. */
  boolean sendTo(int nodeId, Message m);
}
