package io.mtlsvoting.node.mesh;

import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.protocol.CertificateIdentity;
import io.mtlsvoting.protocol.IdentityException;
import io.mtlsvoting.protocol.MessageCodec;
import io.mtlsvoting.protocol.Ping;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Owns the connection to one peer: dials it with exponential backoff and jitter, adopts connections
 * the peer dialled, keeps exactly one live connection (the one dialled by the lower node id wins a
 * tie), pings it and publishes its state in {@link PeerMetrics}.
 */
public final class PeerConnection extends AbstractBehavior<PeerConnection.Command> {

  /** Messages of a peer connection. */
  public sealed interface Command {}

  /** A link completed the Hello exchange (sent by the link's stream). */
  record LinkUp(Link link) implements Command {}

  /** A link terminated; {@code established} says whether it had completed the Hello exchange. */
  record LinkDown(Link link, String reason, boolean established) implements Command {}

  private enum Dial implements Command {
    INSTANCE
  }

  private enum PingTick implements Command {
    INSTANCE
  }

  private record DialConnected(Link link) implements Command {}

  private record CloseSuperseded(Link link) implements Command {}

  private final NodeSettings settings;
  private final int peerId;
  private final InetSocketAddress address;
  private final TlsContexts tls;
  private final PeerIngress ingress;
  private final PeerMetrics metrics;
  private final ConcurrentMap<Integer, Link> activeLinks;
  private final Link.Params params;
  private final TimerScheduler<Command> timers;
  private final Materializer materializer;

  private final Set<Link> established = new LinkedHashSet<>();
  private Link active;
  private Link dialling;
  private PeerState dialState = PeerState.DISCONNECTED;
  private Instant connectedSince;
  private boolean everConnected;
  private int failuresInRow;
  private long pingNonce;

  static Behavior<Command> create(
      NodeSettings settings,
      int peerId,
      TlsContexts tls,
      PeerIngress ingress,
      PeerMetrics metrics,
      ConcurrentMap<Integer, Link> activeLinks,
      Link.Params params) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new PeerConnection(
                        ctx,
                        timers,
                        settings,
                        peerId,
                        tls,
                        ingress,
                        metrics,
                        activeLinks,
                        params)));
  }

  private PeerConnection(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      NodeSettings settings,
      int peerId,
      TlsContexts tls,
      PeerIngress ingress,
      PeerMetrics metrics,
      ConcurrentMap<Integer, Link> activeLinks,
      Link.Params params) {
    super(ctx);
    this.settings = settings;
    this.peerId = peerId;
    this.address = settings.members().get(peerId);
    this.tls = tls;
    this.ingress = ingress;
    this.metrics = metrics;
    this.activeLinks = activeLinks;
    this.params = params;
    this.timers = timers;
    this.materializer = Materializer.createMaterializer(ctx);
    timers.startTimerWithFixedDelay(PingTick.INSTANCE, settings.pingInterval());
    ctx.getSelf().tell(Dial.INSTANCE);
  }

  /** Link for a connection accepted from this peer; the listener materializes its flow. */
  static Link acceptedLink(
      Link.Params params,
      int peerId,
      PeerIngress ingress,
      PeerMetrics metrics,
      org.apache.pekko.actor.typed.ActorRef<Command> owner) {
    return new Link(params, peerId, false, ingress, metrics, owner);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Dial.INSTANCE, this::onDial)
        .onMessage(DialConnected.class, this::onDialConnected)
        .onMessage(LinkUp.class, this::onLinkUp)
        .onMessage(LinkDown.class, this::onLinkDown)
        .onMessage(CloseSuperseded.class, this::onCloseSuperseded)
        .onMessageEquals(PingTick.INSTANCE, this::onPingTick)
        .build();
  }

  private Behavior<Command> onDial() {
    if (active != null || dialling != null) {
      return this;
    }
    Link link = new Link(params, peerId, true, ingress, metrics, getContext().getSelf());
    InetSocketAddress remote = new InetSocketAddress(address.getHostString(), address.getPort());
    var tcp =
        Tcp.get(getContext().getSystem())
            .outgoingConnectionWithTls(
                remote,
                () -> tls.clientEngine(remote),
                Optional.empty(),
                List.of(TcpSO.tcpNoDelay(true)),
                Optional.of(settings.handshakeTimeout()),
                Optional.empty(),
                session -> {
                  Optional<Throwable> problem = verifyServer(session);
                  problem.ifPresent(link::connectFailed);
                  return problem;
                },
                TLSClosing.eagerClose());
    var connected =
        link.flow()
            .joinMat(
                Framing.simpleFramingProtocol(settings.maxFrameBytes())
                    .atop(BidiFlow.fromFlows(Link.coalesce(), Flow.<ByteString>create()))
                    .join(tcp, Keep.right()),
                Keep.right())
            .run(materializer);
    dialling = link;
    dialState = PeerState.CONNECTING;
    publish();
    var outcome = Ask.direct(connected);
    outcome.whenComplete(
        (ok, error) -> {
          if (error != null) {
            link.connectFailed(error);
          }
        });
    getContext().pipeToSelf(outcome, (ok, error) -> new DialConnected(ok == null ? null : link));
    return this;
  }

  /** Server check on the dialling side; pure, because it runs twice per TLS 1.3 connection. */
  private Optional<Throwable> verifyServer(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      CertificateIdentity identity = CertificateIdentity.of((X509Certificate) chain[0]);
      if (identity.isNode() && identity.nodeId() == peerId) {
        return Optional.empty();
      }
      return Optional.of(
          new SSLPeerUnverifiedException(
              "dialled node-" + peerId + " but the server presented " + describe(identity)));
    } catch (SSLPeerUnverifiedException | IdentityException | ClassCastException e) {
      return Optional.of(e);
    }
  }

  private static String describe(CertificateIdentity identity) {
    return identity.isNode() ? "node-" + identity.nodeId() : "client-" + identity.clientName();
  }

  private Behavior<Command> onDialConnected(DialConnected msg) {
    if (msg.link() != null && msg.link() == dialling) {
      dialState = PeerState.HANDSHAKING;
      publish();
    }
    return this;
  }

  private Behavior<Command> onLinkUp(LinkUp msg) {
    Link link = msg.link();
    if (link == dialling) {
      dialling = null;
      dialState = PeerState.DISCONNECTED;
    }
    established.add(link);
    if (active == null) {
      activate(link);
    } else if (wins(link, active)) {
      Link loser = active;
      activate(link);
      supersede(loser, link);
    } else {
      supersede(link, active);
    }
    publish();
    return this;
  }

  /** Tie-break: the link dialled by the lower id wins; between equals the newer one wins. */
  private static boolean wins(Link candidate, Link current) {
    return candidate.preferred() || !current.preferred();
  }

  private void activate(Link link) {
    active = link;
    activeLinks.put(peerId, link);
    timers.cancel(Dial.INSTANCE);
    failuresInRow = 0;
    if (connectedSince == null) {
      connectedSince = Instant.now();
      if (everConnected) {
        metrics.reconnects.incrementAndGet();
      }
      everConnected = true;
      getContext().getLog().info("peer node-{} connected via link {}", peerId, link);
    } else {
      getContext().getLog().info("peer node-{} now uses link {}", peerId, link);
    }
  }

  private void supersede(Link loser, Link winner) {
    getContext()
        .getLog()
        .info("peer node-{}: duplicate link {} loses the tie-break to {}", peerId, loser, winner);
    timers.startSingleTimer(new CloseSuperseded(loser), settings.supersededLinger());
  }

  private Behavior<Command> onCloseSuperseded(CloseSuperseded msg) {
    if (msg.link() != active) {
      msg.link().close("superseded by a duplicate connection");
    }
    return this;
  }

  private Behavior<Command> onLinkDown(LinkDown msg) {
    Link link = msg.link();
    if (!msg.established()) {
      metrics.failedAttempts.incrementAndGet();
      metrics.lastError(msg.reason());
      getContext()
          .getLog()
          .info(
              "peer node-{}: {} link {} failed before Hello: {}",
              peerId,
              link.outbound() ? "dialled" : "accepted",
              link,
              msg.reason());
    } else if (link == active) {
      metrics.lastError(msg.reason());
      getContext()
          .getLog()
          .info("peer node-{} disconnected (link {}): {}", peerId, link, msg.reason());
    } else {
      getContext().getLog().debug("peer node-{}: link {} closed: {}", peerId, link, msg.reason());
    }
    established.remove(link);
    if (link == dialling) {
      dialling = null;
      dialState = PeerState.DISCONNECTED;
      failuresInRow++;
    }
    if (link == active) {
      active = null;
      activeLinks.remove(peerId, link);
      connectedSince = null;
      Link fallback = established.stream().findFirst().orElse(null);
      if (fallback != null) {
        activate(fallback);
      }
    }
    if (active == null && dialling == null && !timers.isTimerActive(Dial.INSTANCE)) {
      Duration delay = backoff(failuresInRow);
      timers.startSingleTimer(Dial.INSTANCE, delay);
    }
    publish();
    return this;
  }

  private Duration backoff(int failures) {
    NodeSettings.Backoff b = settings.backoff();
    double base = b.min().toNanos() * Math.pow(2, Math.min(failures, 30));
    double capped = Math.min(base, b.max().toNanos());
    double jitter = 1 + ThreadLocalRandom.current().nextDouble() * b.randomFactor();
    return Duration.ofNanos(
        (long) Math.min(capped * jitter, b.max().toNanos() * (1 + b.randomFactor())));
  }

  private Behavior<Command> onPingTick() {
    if (active != null) {
      Ping ping = new Ping(++pingNonce, System.nanoTime());
      active.offer(ByteString.fromArrayUnsafe(MessageCodec.encode(ping)));
    }
    return this;
  }

  private void publish() {
    PeerState state = active != null ? PeerState.CONNECTED : dialState;
    metrics.state(state, connectedSince, established.size(), active != null && !active.outbound());
  }
}
