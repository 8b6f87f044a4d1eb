package io.mtlsvoting.node.runtime;

import io.mtlsvoting.node.audit.AuditSettings;
import io.mtlsvoting.node.audit.AuditWriter;
import io.mtlsvoting.node.audit.ProjectionFaults;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.etcd.EtcdTallyListener;
import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.etcd.EtcdWriterDeps;
import io.mtlsvoting.node.etcd.EtcdWriterSettings;
import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.node.mesh.ClientConnectionHandler;
import io.mtlsvoting.node.mesh.Node;
import io.mtlsvoting.node.mesh.TlsContexts;
import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.BanView;
import io.mtlsvoting.node.tally.ByzantineActions;
import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.NodeTallyListener;
import io.mtlsvoting.node.tally.TallyDeps;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallyMetrics;
import io.mtlsvoting.node.tally.TallySettings;
import io.mtlsvoting.node.tally.VerifyingIngress;
import io.mtlsvoting.node.tally.VoteCaster;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.MemberInfo;
import io.mtlsvoting.protocol.CertificateIdentity;
import io.mtlsvoting.protocol.VoteSigner;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The root actor of a node: wires the reputation authority, the vote router and its verifying
 * ingress, and the mTLS mesh, then publishes the {@link NodeContext}. Stops the node when the mesh
 * stops (for example when the listen address cannot be bound).
 */
final class NodeGuardian {

  /** Messages of the guardian. */
  sealed interface Command {}

  private record MeshReady(Broadcaster broadcaster) implements Command {}

  private record MeshFailed(Throwable cause) implements Command {}

  /** What the guardian is built from; read and checked before the actor system starts. */
  record Parts(
      NodeSettings settings,
      TallySettings tallySettings,
      Membership membership,
      X509Certificate caCertificate,
      X509Certificate nodeCertificate,
      Map<Integer, X509Certificate> memberCertificates,
      VoteSigner signer,
      TlsContexts tls,
      ClientConnectionHandler clients,
      List<TallyListener> extraListeners,
      HealthChecks health,
      Duration askTimeout,
      AuditSettings auditSettings,
      DataSource dataSource,
      Optional<Etcd> etcd) {}

  /** etcd coordination, when configured: the connected client and the start-up check's result. */
  record Etcd(EtcdCoordinator coordinator, EtcdWriterSettings settings, boolean configAgreed) {}

  private NodeGuardian() {}

  static Behavior<Command> create(Parts parts, CompletableFuture<NodeContext> ready) {
    return Behaviors.setup(ctx -> start(ctx, parts, ready));
  }

  private static EtcdWriterDeps etcdDeps(
      Parts p,
      Etcd e,
      ActorRef<VoteRouter.Command> router,
      ActorRef<BanRegistry.Command> registry) {
    MemberInfo me =
        new MemberInfo(
            p.settings().members().get(p.settings().nodeId()).getHostString()
                + ":"
                + p.settings().members().get(p.settings().nodeId()).getPort(),
            CertificateIdentity.fingerprint(p.nodeCertificate()),
            Instant.now());
    return new EtcdWriterDeps(
        p.membership(),
        e.coordinator(),
        e.settings(),
        router,
        registry,
        p.memberCertificates(),
        Optional.of(me),
        e.configAgreed());
  }

  private static Behavior<Command> start(
      ActorContext<Command> ctx, Parts p, CompletableFuture<NodeContext> ready) {
    int self = p.settings().nodeId();
    BanView bans = new BanView();
    TallyMetrics metrics = new TallyMetrics();
    var registry =
        ctx.spawn(
            BanRegistry.create(self, p.tallySettings(), bans, System::currentTimeMillis),
            "reputation");
    LateBroadcaster broadcaster = new LateBroadcaster();
    List<TallyListener> listeners = new ArrayList<>();
    // Observers (bench, tests) first: they hear of an own vote before it is broadcast.
    listeners.addAll(p.extraListeners());
    listeners.add(new NodeTallyListener(self, broadcaster, registry));
    Optional<EtcdTallyListener> toEtcd =
        p.etcd().map(e -> new EtcdTallyListener(self, Clock.systemUTC()));
    toEtcd.ifPresent(listeners::add);
    TallyDeps deps =
        new TallyDeps(
            p.membership(),
            p.tallySettings(),
            bans,
            TallyListener.all(listeners),
            metrics,
            System::currentTimeMillis);
    var router = ctx.spawn(VoteRouter.create(deps), "votes");
    Optional<ActorRef<EtcdWriter.Command>> etcdWriter =
        p.etcd().map(e -> ctx.spawn(EtcdWriter.create(etcdDeps(p, e, router, registry)), "etcd"));
    // The writer tells the router about commits; the router's listener tells the writer about
    // decisions: bind before any vote can arrive (the ingress and mesh start below).
    etcdWriter.ifPresent(w -> toEtcd.orElseThrow().bind(w));
    VerifyingIngress ingress =
        VerifyingIngress.create(
            p.membership(), p.memberCertificates(), router, p.tallySettings(), metrics);
    // Only the extra listeners (the bench's recorder) watch verified votes; a node without them
    // adds nothing to the vote path.
    if (!p.extraListeners().isEmpty()) {
      ingress.observe(TallyListener.all(p.extraListeners()));
    }
    var mesh = ctx.spawn(Node.create(p.settings(), p.tls(), ingress, p.clients()), "mesh");
    var audit =
        ctx.spawn(
            AuditWriter.create(self, p.auditSettings(), p.dataSource(), ProjectionFaults.NONE),
            "audit");
    ctx.watch(mesh);

    Optional<ByzantineActions> byzantine =
        p.settings().byzantineTesting()
            ? Optional.of(
                new ByzantineActions(
                    p.membership(), p.signer(), broadcaster, System::currentTimeMillis))
            : Optional.empty();
    Predicate<String> silenced =
        byzantine.<Predicate<String>>map(b -> b::silenced).orElse(tx -> false);
    VoteCaster caster =
        new VoteCaster(
            p.membership(),
            p.signer(),
            router,
            ctx.getSystem().scheduler(),
            p.askTimeout(),
            System::currentTimeMillis,
            silenced,
            metrics.journal());
    NodeContext context =
        new NodeContext(
            p.settings(),
            p.tallySettings(),
            p.membership(),
            p.caCertificate(),
            p.nodeCertificate(),
            p.memberCertificates(),
            ctx.getSystem(),
            mesh,
            router,
            audit,
            registry,
            bans,
            broadcaster,
            caster,
            byzantine,
            metrics,
            p.health(),
            Instant.now(),
            etcdWriter,
            p.etcd().map(Etcd::coordinator));

    Ask.<Node.Command, Broadcaster, Command>pipe(
        ctx,
        mesh,
        Node.GetBroadcaster::new,
        p.askTimeout(),
        (b, error) -> b != null ? new MeshReady(b) : new MeshFailed(error));

    return Behaviors.receive(Command.class)
        .onMessage(
            MeshReady.class,
            m -> {
              broadcaster.bind(m.broadcaster());
              ctx.getLog()
                  .info(
                      "node {} ready: cluster '{}', n={}, t={}, listening on {}",
                      self,
                      p.settings().clusterId(),
                      p.settings().quorum().n(),
                      p.settings().quorum().t(),
                      p.settings().listenAddress());
              ready.complete(context);
              return Behaviors.same();
            })
        .onMessage(
            MeshFailed.class,
            m -> {
              ready.completeExceptionally(m.cause());
              return Behaviors.stopped();
            })
        .onSignal(
            Terminated.class,
            t -> {
              ctx.getLog().error("node {}: the mesh stopped; stopping the node", self);
              ready.completeExceptionally(
                  new IllegalStateException(
                      "the mTLS listener could not start on " + p.settings().listenAddress()));
              return Behaviors.stopped();
            })
        .onSignal(
            PostStop.class,
            s -> {
              ingress.close();
              return Behaviors.same();
            })
        .build();
  }
}
