package io.mtlsvoting.node.mesh;

import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.protocol.CertificateIdentity;
import io.mtlsvoting.protocol.IdentityException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the mTLS port. Each accepted connection gets its own TLS 1.3 server stage; the peer
 * certificate of the first decrypted bytes decides where it goes: a member node's certificate to
 * that peer's {@link PeerConnection}, a client certificate to the {@link ClientConnectionHandler};
 * anything else is refused and counted in {@link ListenerStats} under a category: {@code tls}
 * (handshake failed: unknown CA, expired, revoked, no certificate, TLS 1.2, not TLS), {@code
 * no-data} (closed or timed out before any data), {@code identity}, {@code not-member}, {@code
 * self}, {@code client}.
 */
public final class Listener extends AbstractBehavior<Listener.Command> {

  /** Messages of the listener. */
  public sealed interface Command {}

  private record Bound(Tcp.ServerBinding binding) implements Command {}

  private record BindFailed(Throwable error) implements Command {}

  /** Where accepted node connections go. */
  record Peer(ActorRef<PeerConnection.Command> owner, PeerMetrics metrics) {}

  // Refusals are logged from stream threads, where the actor's logger must not be used.
  private static final Logger LOG = LoggerFactory.getLogger(Listener.class);

  private final NodeSettings settings;
  private final TlsContexts tls;
  private final PeerIngress ingress;
  private final ClientConnectionHandler clients;
  private final Map<Integer, Peer> peers;
  private final ListenerCounters counters;
  private final Link.Params params;
  private final Materializer materializer;
  private Tcp.ServerBinding binding;

  static Behavior<Command> create(
      NodeSettings settings,
      TlsContexts tls,
      PeerIngress ingress,
      ClientConnectionHandler clients,
      Map<Integer, Peer> peers,
      ListenerCounters counters,
      Link.Params params) {
    return Behaviors.setup(
        ctx -> new Listener(ctx, settings, tls, ingress, clients, peers, counters, params));
  }

  private Listener(
      ActorContext<Command> ctx,
      NodeSettings settings,
      TlsContexts tls,
      PeerIngress ingress,
      ClientConnectionHandler clients,
      Map<Integer, Peer> peers,
      ListenerCounters counters,
      Link.Params params) {
    super(ctx);
    this.settings = settings;
    this.tls = tls;
    this.ingress = ingress;
    this.clients = clients;
    this.peers = peers;
    this.counters = counters;
    this.params = params;
    this.materializer = Materializer.createMaterializer(ctx);
    var bound =
        Tcp.get(ctx.getSystem())
            .bind(
                settings.listenAddress().getHostString(),
                settings.listenAddress().getPort(),
                128,
                // Pekko already disables Nagle on every connection; stated so it stays that way.
                List.of(TcpSO.tcpNoDelay(true)),
                // halfClose = true: when the server's TLS stage rejects a ClientHello (TLS 1.2,
                // not TLS, ...) it first cancels its transport input and only then flushes the
                // fatal alert; with halfClose = false Pekko's TCP stage closes the socket on that
                // cancellation and the peer gets a bare FIN instead of the alert. The connection
                // still closes once the TLS stage completes its output (eagerClose).
                true,
                Optional.empty())
            .to(Sink.foreach(this::handle))
            .run(materializer);
    ctx.pipeToSelf(
        Ask.direct(bound), (b, error) -> error == null ? new Bound(b) : new BindFailed(error));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Bound.class, this::onBound)
        .onMessage(BindFailed.class, this::onBindFailed)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onBound(Bound msg) {
    binding = msg.binding();
    getContext().getLog().info("listening on {} (mTLS 1.3)", binding.localAddress());
    return this;
  }

  private Behavior<Command> onBindFailed(BindFailed msg) {
    getContext()
        .getLog()
        .error("cannot bind {}: {}", settings.listenAddress(), msg.error().getMessage());
    throw new IllegalStateException("cannot bind " + settings.listenAddress(), msg.error());
  }

  private Behavior<Command> onPostStop() {
    if (binding != null) {
      binding.unbind();
    }
    return this;
  }

  /** Runs on the accept stream's thread for every TCP connection. */
  private void handle(Tcp.IncomingConnection connection) {
    String remote = String.valueOf(connection.remoteAddress());
    AtomicBoolean routed = new AtomicBoolean();
    SSLEngine engine = tls.serverEngine();
    Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, NotUsed> router =
        Flow.<TLSProtocol.SslTlsInbound>create()
            .initialTimeout(settings.handshakeTimeout())
            .<TLSProtocol.SslTlsOutbound, NotUsed>flatMapPrefix(
                1, prefix -> route(prefix.get(0), remote, routed));
    Flow<ByteString, ByteString, NotUsed> full =
        TLS.create(() -> engine, TLSClosing.eagerClose())
            .reversed()
            .join(router)
            .watchTermination(
                (mat, done) -> {
                  Ask.direct(done)
                      .whenComplete((ok, error) -> unrouted(engine, remote, routed, error));
                  return NotUsed.getInstance();
                });
    connection.handleWith(full, materializer);
  }

  /** Accounts for a connection that ended before it could be routed. */
  private void unrouted(SSLEngine engine, String remote, AtomicBoolean routed, Throwable error) {
    if (!routed.compareAndSet(false, true)) {
      return;
    }
    Optional<String> refusal = tls.refusal(engine);
    if (refusal.isPresent()) {
      refused("tls", remote, "TLS: " + refusal.get());
    } else if (!hasPeerCertificate(engine)) {
      refused(
          "tls",
          remote,
          "TLS handshake failed (no client certificate, not TLS 1.3 or not TLS at all)"
              + (error == null ? "" : ": " + Reasons.describe(error, false, params)));
    } else if (error != null) {
      refused(categoryOf(error), remote, Reasons.describe(error, false, params));
    } else {
      refused("no-data", remote, "closed before any data");
    }
  }

  private static boolean hasPeerCertificate(SSLEngine engine) {
    try {
      return engine.getSession().getPeerCertificates().length > 0;
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private static String categoryOf(Throwable error) {
    if (Reasons.find(error, javax.net.ssl.SSLException.class) != null) {
      return "tls";
    }
    return "no-data";
  }

  private Flow<TLSProtocol.SslTlsInbound, TLSProtocol.SslTlsOutbound, NotUsed> route(
      TLSProtocol.SslTlsInbound first, String remote, AtomicBoolean routed)
      throws SSLPeerUnverifiedException {
    if (!(first instanceof TLSProtocol.SessionBytes sessionBytes)) {
      throw refuse(routed, "no-data", remote, "TLS session truncated");
    }
    X509Certificate cert = (X509Certificate) sessionBytes.session().getPeerCertificates()[0];
    CertificateIdentity identity;
    try {
      identity = CertificateIdentity.of(cert);
    } catch (IdentityException e) {
      throw refuse(routed, "identity", remote, e.getMessage());
    }
    Flow<ByteString, ByteString, NotUsed> payloads;
    if (!identity.isNode()) {
      payloads =
          clients
              .accept(identity, cert)
              .orElseThrow(
                  () ->
                      refuse(
                          routed,
                          "client",
                          remote,
                          "client-"
                              + identity.clientName()
                              + " on the node path: "
                              + ClientConnectionHandler.REFUSAL));
    } else if (identity.nodeId() == settings.nodeId()) {
      throw refuse(
          routed, "self", remote, "peer presented our own identity node-" + settings.nodeId());
    } else {
      Peer peer = peers.get(identity.nodeId());
      if (peer == null) {
        throw refuse(
            routed,
            "not-member",
            remote,
            "node-" + identity.nodeId() + " is not a member " + settings.members().keySet());
      }
      Link link =
          PeerConnection.acceptedLink(
              params, identity.nodeId(), ingress, peer.metrics(), peer.owner());
      payloads = link.flow();
    }
    routed.set(true);
    counters.accepted();
    Flow<ByteString, ByteString, NotUsed> framed =
        Framing.simpleFramingProtocol(settings.maxFrameBytes()).reversed().join(payloads);
    // flatMapPrefix consumes the prefix: feed the first element back in front of the rest.
    return Flow.<TLSProtocol.SslTlsInbound>create()
        .prepend(Source.single(first))
        .filter(in -> in instanceof TLSProtocol.SessionBytes)
        .map(in -> ((TLSProtocol.SessionBytes) in).bytes())
        .via(framed)
        .via(Link.coalesce())
        .map(bytes -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(bytes));
  }

  private RuntimeException refuse(
      AtomicBoolean routed, String category, String remote, String reason) {
    routed.set(true);
    refused(category, remote, reason);
    return new Link.LinkFailure("refused: " + reason);
  }

  private void refused(String category, String remote, String reason) {
    counters.rejected(category, reason);
    LOG.info("refused connection from {} ({}): {}", remote, category, reason);
  }
}
