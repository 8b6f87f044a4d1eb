package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Broadcaster} over the live link of each peer: encodes once, offers to each bounded queue,
 * counts drops. Thread-safe and non-blocking.
 */
final class MeshBroadcaster implements Broadcaster {
  private static final Logger LOG = LoggerFactory.getLogger(MeshBroadcaster.class);

  private final int maxFrameBytes;
  private final Map<Integer, PeerMetrics> metrics;
  private final Map<Integer, Link> activeLinks;

  MeshBroadcaster(int maxFrameBytes, Map<Integer, PeerMetrics> metrics, Map<Integer, Link> active) {
    this.maxFrameBytes = maxFrameBytes;
    this.metrics = metrics;
    this.activeLinks = active;
  }

  @Override
  public void broadcast(Message message) {
    ByteString payload = encode(message);
    for (int peerId : metrics.keySet()) {
      send(peerId, payload);
    }
  }

  @Override
  public boolean sendTo(int nodeId, Message message) {
    if (!metrics.containsKey(nodeId)) {
      throw new IllegalArgumentException("node " + nodeId + " is not a peer");
    }
    return send(nodeId, encode(message));
  }

  @Override
  public boolean connected(int nodeId) {
    return activeLinks.containsKey(nodeId);
  }

  private ByteString encode(Message message) {
    Objects.requireNonNull(message, "message");
    byte[] bytes = MessageCodec.encode(message);
    if (bytes.length > maxFrameBytes) {
      // Sending it would make our own framing stage fail and drop the connection.
      LOG.warn(
          "not sending {}: {} bytes exceed max-frame-bytes {}",
          message.getClass().getSimpleName(),
          bytes.length,
          maxFrameBytes);
      return null;
    }
    return ByteString.fromArrayUnsafe(bytes);
  }

  private boolean send(int peerId, ByteString payload) {
    Link link = activeLinks.get(peerId);
    if (payload == null || link == null) {
      metrics.get(peerId).drops.incrementAndGet();
      return false;
    }
    return link.offer(payload);
  }
}
