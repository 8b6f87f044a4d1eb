package io.mtlsvoting.node.runtime;

import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.protocol.Message;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Broadcaster} handed to the tallies before the mesh exists (the mesh needs the tallies'
 * ingress, the tallies need the mesh's broadcaster). Until {@link #bind} it drops and counts.
 */
final class LateBroadcaster implements Broadcaster {
  private final AtomicReference<Broadcaster> target = new AtomicReference<>();
  private final AtomicLong droppedBeforeBind = new AtomicLong();

  void bind(Broadcaster broadcaster) {
    if (!target.compareAndSet(null, broadcaster)) {
      throw new IllegalStateException("broadcaster already bound");
    }
  }

  long droppedBeforeBind() {
    return droppedBeforeBind.get();
  }

  @Override
  public void broadcast(Message m) {
    Broadcaster b = target.get();
    if (b == null) {
      droppedBeforeBind.incrementAndGet();
    } else {
      b.broadcast(m);
    }
  }

  @Override
  public boolean sendTo(int nodeId, Message m) {
    Broadcaster b = target.get();
    if (b == null) {
      droppedBeforeBind.incrementAndGet();
      return false;
    }
    return b.sendTo(nodeId, m);
  }

  @Override
  public boolean connected(int nodeId) {
    Broadcaster b = target.get();
    return b != null && b.connected(nodeId);
  }
}
