package io.mtlsvoting.node.mesh;

import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.protocol.DecodeException;
import io.mtlsvoting.protocol.Hello;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import io.mtlsvoting.protocol.Ping;
import io.mtlsvoting.protocol.Pong;
import io.mtlsvoting.protocol.Protocol;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One TLS connection to a peer at the level of frame bodies, dialled or accepted: sends our Hello
 * first, requires the peer's Hello first, answers Pings, measures RTT from Pongs and hands every
 * other message to the {@link PeerIngress}. Reports Hello completion and termination to its {@link
 * PeerConnection}. Inbound handling runs on the stream's thread, one frame at a time.
 */
final class Link {
  private static final AtomicLong SEQUENCE = new AtomicLong();

  /** Parameters shared by every link of a node. */
  record Params(
      int localId,
      String clusterId,
      String configHash,
      int queueSize,
      Duration handshakeTimeout,
      Duration silenceDeadline) {}

  /**
   * At most one TLS record's plaintext: the most bytes {@link #coalesce()} joins into one chunk.
   */
  static final long COALESCE_BYTES = 16 * 1024;

  private final long number = SEQUENCE.incrementAndGet();
  private final Params params;
  private final int peerId;
  private final boolean outbound;
  private final PeerIngress ingress;
  private final PeerMetrics metrics;
  private final ActorRef<PeerConnection.Command> owner;
  private final SharedKillSwitch killSwitch;
  private volatile BoundedSourceQueue<ByteString> queue;
  private volatile Throwable connectFailure;
  // Only touched by the inbound sink, which processes one frame at a time.
  private boolean established;

  Link(
      Params params,
      int peerId,
      boolean outbound,
      PeerIngress ingress,
      PeerMetrics metrics,
      ActorRef<PeerConnection.Command> owner) {
    this.params = params;
    this.peerId = peerId;
    this.outbound = outbound;
    this.ingress = ingress;
    this.metrics = metrics;
    this.owner = owner;
    this.killSwitch = KillSwitches.shared("link-" + number);
  }

  int peerId() {
    return peerId;
  }

  boolean outbound() {
    return outbound;
  }

  /** True when this link was dialled by the lower of the two node ids: it wins tie-breaks. */
  boolean preferred() {
    int dialler = outbound ? params.localId() : peerId;
    return dialler == Math.min(params.localId(), peerId);
  }

  @Override
  public String toString() {
    return "#" + number + (outbound ? " (dialled)" : " (accepted)");
  }

  /**
   * The connection's application side; materialize exactly once. Its termination (with the reason)
   * is reported to the owner as {@link PeerConnection.LinkDown}.
   */
  Flow<ByteString, ByteString, NotUsed> flow() {
    Sink<ByteString, CompletionStage<Done>> in =
        Flow.<ByteString>create()
            .via(killSwitch.flow())
            .initialTimeout(params.handshakeTimeout())
            .idleTimeout(params.silenceDeadline())
            .toMat(Sink.foreach(this::onFrame), Keep.right());
    Source<ByteString, BoundedSourceQueue<ByteString>> out =
        Source.<ByteString>queue(params.queueSize()).via(killSwitch.flow());
    return Flow.fromSinkAndSourceCoupledMat(
        in,
        out,
        (done, q) -> {
          queue = q;
          Hello hello =
              new Hello(
                  Protocol.PROTOCOL_VERSION,
                  params.clusterId(),
                  params.localId(),
                  params.configHash());
          offer(ByteString.fromArrayUnsafe(MessageCodec.encode(hello)));
          Ask.direct(done).whenComplete((d, error) -> owner.tell(terminated(error)));
          return NotUsed.getInstance();
        });
  }

  /**
   * Goes between the frame encoder and the TLS stage: while TLS is busy, waiting frames are joined
   * into one chunk (up to {@link #COALESCE_BYTES}), so a burst becomes few TLS records and stream
   * messages instead of one per frame. An idle connection passes each frame on at once (no delay).
   */
  static Flow<ByteString, ByteString, NotUsed> coalesce() {
    return Flow.<ByteString>create()
        .batchWeighted(COALESCE_BYTES, b -> (long) b.size(), b -> b, ByteString::concat);
  }

  /** Queues one frame body; false (and counted as a drop) if the queue is full or closed. */
  boolean offer(ByteString payload) {
    BoundedSourceQueue<ByteString> q = queue;
    if (q != null && q.offer(payload) == QueueOfferResult.enqueued()) {
      metrics.messagesOut.incrementAndGet();
      metrics.bytesOut.addAndGet(payload.size() + 4L);
      return true;
    }
    metrics.drops.incrementAndGet();
    return false;
  }

  /** Records why a dial failed: the stream itself may just complete. */
  void connectFailed(Throwable error) {
    connectFailure = error;
  }

  /** Tears the connection down; the owner then receives LinkDown with {@code reason}. */
  void close(String reason) {
    killSwitch.abort(new LinkFailure(reason));
  }

  private void onFrame(ByteString payload) {
    metrics.bytesIn.addAndGet(payload.size() + 4L);
    Message message;
    try {
      message = MessageCodec.decode(payload.toArrayUnsafe());
    } catch (DecodeException e) {
      metrics.protocolErrors.incrementAndGet();
      throw new LinkFailure("undecodable frame (" + e.kind() + "): " + e.getMessage());
    }
    metrics.messagesIn.incrementAndGet();
    if (!established) {
      if (!(message instanceof Hello hello)) {
        metrics.protocolErrors.incrementAndGet();
        throw new LinkFailure(
            "protocol violation: " + message.getClass().getSimpleName() + " before Hello");
      }
      checkHello(hello);
      established = true;
      owner.tell(new PeerConnection.LinkUp(this));
      return;
    }
    if (message instanceof Hello) {
      metrics.protocolErrors.incrementAndGet();
      throw new LinkFailure("protocol violation: second Hello");
    } else if (message instanceof Ping ping) {
      offer(
          ByteString.fromArrayUnsafe(
              MessageCodec.encode(new Pong(ping.nonce(), ping.sentAtNanos()))));
    } else if (message instanceof Pong pong) {
      long micros = (System.nanoTime() - pong.sentAtNanos()) / 1_000;
      if (micros >= 0 && micros < 3_600_000_000L) {
        metrics.rtt(micros);
      }
    } else {
      ingress.deliver(peerId, message);
    }
  }

  private void checkHello(Hello hello) {
    String problem = null;
    if (hello.protocolVersion() != Protocol.PROTOCOL_VERSION) {
      problem =
          "protocol version " + hello.protocolVersion() + ", ours is " + Protocol.PROTOCOL_VERSION;
    } else if (!hello.clusterId().equals(params.clusterId())) {
      problem = "cluster id '" + hello.clusterId() + "', ours is '" + params.clusterId() + "'";
    } else if (hello.nodeId() != peerId) {
      problem = "Hello claims node " + hello.nodeId() + " but the certificate is node-" + peerId;
    } else if (!hello.configHash().equals(params.configHash())) {
      problem = "config hash differs (other n, t or membership)";
    }
    if (problem != null) {
      throw new LinkFailure("Hello mismatch: " + problem);
    }
  }

  private PeerConnection.LinkDown terminated(Throwable error) {
    boolean wasEstablished = established;
    String reason;
    if (error == null && connectFailure != null) {
      reason = Reasons.describe(connectFailure, false, params);
    } else if (error == null) {
      reason = wasEstablished ? "closed by peer" : "closed before Hello (refused by peer?)";
    } else {
      reason = Reasons.describe(error, wasEstablished, params);
      if (Reasons.find(error, org.apache.pekko.stream.scaladsl.Framing.FramingException.class)
          != null) {
        metrics.protocolErrors.incrementAndGet();
      }
    }
    return new PeerConnection.LinkDown(this, reason, wasEstablished);
  }

  /** A deliberate close or protocol violation, carrying the reason as its message. */
  static final class LinkFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LinkFailure(String reason) {
      super(reason, null, false, false);
    }
  }
}
