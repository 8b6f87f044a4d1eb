package io.mtlsvoting.node.audit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.BanView;
import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.NodeTallyListener;
import io.mtlsvoting.node.tally.TallyDeps;
import io.mtlsvoting.node.tally.TallySettings;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One node of an audit test: an actor system on the test class's PostgreSQL with the JDBC journal,
 * the node's ban registry and vote router (real tallies, no mesh) and, when started, its audit
 * writer.
 */
final class AuditTestNode implements AutoCloseable {

  static final String CLUSTER = "audit-cluster";
  static final int N = 5;
  static final int T = 3;

  private static final String CONFIG =
      """
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      pekko.persistence.journal.plugin = "mtls-voting.persistence.journal"
      pekko.persistence.snapshot-store.plugin = "mtls-voting.persistence.snapshot"
      pekko.actor.serialization-bindings {
        "io.mtlsvoting.node.tally.TallySerializable" = jackson-cbor
      }
      mtls-voting.persistence.db.pool-size = 16
      mtls-voting.persistence.jdbc-dispatcher.thread-pool-executor.fixed-pool-size = 4
      mtls-voting.audit.poll-interval = 50ms
      """;

  private static final Broadcaster NO_MESH =
      new Broadcaster() {
        @Override
        public void broadcast(Message m) {}

        @Override
        public boolean sendTo(int nodeId, Message m) {
          return false;
        }

        @Override
        public boolean connected(int nodeId) {
          return false;
        }
      };

  final int selfId;
  final ActorTestKit kit;
  final Config config;
  final ActorRef<VoteRouter.Command> router;
  private final DataSourceRegistry.Lease lease;

  AuditTestNode(PostgresExtension postgres, int selfId) {
    this.selfId = selfId;
    this.config =
        ConfigFactory.load(ConfigFactory.parseString(CONFIG).withFallback(postgres.dbConfig()));
    this.kit = ActorTestKit.create("audit-node-" + selfId, config);
    this.lease = DataSourceRegistry.acquire(DbSettings.fromConfig(config));
    BanView bans = new BanView();
    TallySettings settings = TallySettings.defaults(Duration.ofMinutes(5));
    ActorRef<BanRegistry.Command> registry =
        kit.spawn(BanRegistry.create(selfId, settings, bans), "bans");
    TallyDeps deps =
        TallyDeps.of(
            Membership.of(CLUSTER, selfId, N, T),
            settings,
            bans,
            new NodeTallyListener(selfId, NO_MESH, registry));
    this.router = kit.spawn(VoteRouter.create(deps), "tallies");
  }

  DataSource dataSource() {
    return lease.dataSource();
  }

  ActorRef<AuditWriter.Command> startAuditWriter(ProjectionFaults faults) {
    return kit.spawn(
        AuditWriter.create(selfId, AuditSettings.fromConfig(config), dataSource(), faults),
        "audit");
  }

  void deliver(Vote vote) {
    router.tell(new VoteRouter.Route(vote.txId(), new VoteTally.Deliver(vote)));
  }

  TallyState state(String txId) {
    TestProbe<TallyState> probe = kit.createTestProbe();
    router.tell(new VoteRouter.Route(txId, new VoteTally.GetState(probe.getRef())));
    return probe.receiveMessage(Duration.ofSeconds(15));
  }

  /** Polls the tally of {@code txId} until {@code done} holds for its state. */
  void awaitTally(String txId, java.util.function.Predicate<TallyState> done) {
    await("tally " + txId + " on node " + selfId, () -> done.test(state(txId)));
  }

  VoteTally.CommitReply commit(String txId, long value) {
    TestProbe<VoteTally.CommitReply> probe = kit.createTestProbe();
    router.tell(new VoteRouter.Route(txId, new VoteTally.Commit(value, probe.getRef())));
    return probe.receiveMessage(Duration.ofSeconds(15));
  }

  AuditWriter.Status status(ActorRef<AuditWriter.Command> writer) {
    TestProbe<AuditWriter.Status> probe = kit.createTestProbe();
    writer.tell(new AuditWriter.GetStatus(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(15));
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
    lease.close();
  }

  /** Polls {@code condition} every 50 ms until it holds, failing after a generous deadline. */
  static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Deterministic Ed25519 signers of members 1..N. */
  static VoteSigner signer(int node) {
    byte[] seed = new byte[32];
    seed[0] = (byte) node;
    seed[31] = 42;
    return VoteSigner.fromSeed(seed);
  }

  static Vote vote(String txId, int node, long value) {
    return signer(node).sign(CLUSTER, txId, node, value, 1_800_000_000_000L + node);
  }
}
