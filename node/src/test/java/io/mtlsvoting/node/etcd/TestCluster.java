package io.mtlsvoting.node.etcd;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.BanView;
import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.NodeTallyListener;
import io.mtlsvoting.node.tally.RealCerts;
import io.mtlsvoting.node.tally.TallyDeps;
import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallySettings;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import io.mtlsvoting.persistence.etcd.MemberInfo;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.Vote;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * Node stacks (ban authority, router + tallies, EtcdWriter with its own etcd client) of one cluster
 * in one actor system, fed with votes signed by the real member keys.
 */
final class TestCluster implements AutoCloseable {
  static final String CLUSTER = "etcd-cluster";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final TallySettings TALLY =
      TallySettings.defaults(Duration.ofSeconds(60)).withPassivateAfter(Duration.ofSeconds(2));

  /** An in-memory journal and snapshot store (per actor system). */
  static Config inMemoryPersistence() {
    return PersistenceTestKitPlugin.config()
        .withFallback(PersistenceTestKitSnapshotPlugin.config());
  }

  static Config baseConfig() {
    return ConfigFactory.parseString(
        """
        pekko.actor.serialization-bindings {
          "io.mtlsvoting.node.tally.TallySerializable" = jackson-cbor
        }
        pekko.loglevel = INFO
        """);
  }

  /** What one node saw: when each tx reached the threshold, committed or alarmed (nanoTime). */
  static final class Seen {
    final Map<String, Long> threshold = new ConcurrentHashMap<>();
    final Map<String, Long> committed = new ConcurrentHashMap<>();
    final Map<String, Long> alarms = new ConcurrentHashMap<>();

    void record(TallyEvent e) {
      long now = System.nanoTime();
      if (e instanceof TallyEvent.ThresholdReached) {
        threshold.put(e.txId(), now);
      } else if (e instanceof TallyEvent.Committed) {
        committed.put(e.txId(), now);
      } else if (e instanceof TallyEvent.SafetyAlarm a) {
        alarms.put(e.txId(), a.storedValue());
      }
    }
  }

  /** One node's actors. */
  record Node(
      int id,
      BanView bans,
      ActorRef<BanRegistry.Command> registry,
      ActorRef<VoteRouter.Command> router,
      ActorRef<EtcdWriter.Command> writer,
      EtcdCoordinator coordinator,
      Seen seen) {}

  private static final Broadcaster SILENT =
      new Broadcaster() {
        @Override
        public void broadcast(Message m) {}

        @Override
        public boolean sendTo(int nodeId, Message m) {
          return true;
        }

        @Override
        public boolean connected(int nodeId) {
          return true;
        }
      };

  final ActorTestKit kit;
  final RealCerts certs = RealCerts.five();
  final EtcdSettings etcd;
  final EtcdWriterSettings writerSettings;
  final Map<Integer, Node> nodes = new HashMap<>();
  private final List<EtcdCoordinator> clients = new ArrayList<>();

  TestCluster(Config config, EtcdSettings etcd, EtcdWriterSettings writerSettings) {
    this.kit = ActorTestKit.create("etcd-" + System.nanoTime(), config.resolve());
    this.etcd = etcd;
    this.writerSettings = writerSettings;
  }

  /** A cluster on the in-memory journal with fast retries. */
  static TestCluster inMemory(EtcdSettings etcd) {
    return new TestCluster(
        baseConfig().withFallback(inMemoryPersistence()),
        etcd,
        EtcdWriterSettings.defaults().withRetry(Duration.ofMillis(100), Duration.ofSeconds(1)));
  }

  Membership membership(int id) {
    return Membership.of(CLUSTER, id, 5, 4);
  }

  /** Starts node {@code id}'s stack; the config is checked by the writer itself. */
  Node start(int id) {
    Membership m = membership(id);
    BanView bans = new BanView();
    ActorRef<BanRegistry.Command> registry = kit.spawn(BanRegistry.create(id, TALLY, bans));
    Seen seen = new Seen();
    EtcdTallyListener toEtcd = new EtcdTallyListener(id, Clock.systemUTC());
    TallyListener listener =
        TallyListener.all(
            List.of(
                (e, after) -> seen.record(e), new NodeTallyListener(id, SILENT, registry), toEtcd));
    ActorRef<VoteRouter.Command> router =
        kit.spawn(VoteRouter.create(TallyDeps.of(m, TALLY, bans, listener)));
    EtcdCoordinator coordinator = EtcdCoordinator.connect(etcd);
    clients.add(coordinator);
    MemberInfo info = new MemberInfo("127.0.0.1:" + (9000 + id), "ab".repeat(32), Instant.now());
    ActorRef<EtcdWriter.Command> writer =
        kit.spawn(
            EtcdWriter.create(
                new EtcdWriterDeps(
                    m,
                    coordinator,
                    writerSettings,
                    router,
                    registry,
                    certs.certs,
                    Optional.of(info),
                    false)));
    toEtcd.bind(writer);
    Node node = new Node(id, bans, registry, router, writer, coordinator, seen);
    nodes.put(id, node);
    return node;
  }

  void startAll() {
    for (int i = 1; i <= 5; i++) {
      start(i);
    }
  }

  Vote signed(int node, String tx, long value) {
    return certs.signers.get(node).sign(CLUSTER, tx, node, value, System.currentTimeMillis());
  }

  /** Every member votes {@code value}; every running node receives every vote. */
  void decide(String tx, long value) {
    List<Vote> votes = new ArrayList<>();
    for (int v = 1; v <= 5; v++) {
      votes.add(signed(v, tx, value));
    }
    deliver(tx, votes);
  }

  void deliver(String tx, List<Vote> votes) {
    for (Node n : nodes.values()) {
      for (Vote v : votes) {
        n.router().tell(new VoteRouter.Route(tx, new VoteTally.Deliver(v)));
      }
    }
  }

  EtcdWriter.Status status(int id) {
    TestProbe<EtcdWriter.Status> p = kit.createTestProbe();
    nodes.get(id).writer().tell(new EtcdWriter.GetStatus(p.ref()));
    return p.receiveMessage(Duration.ofSeconds(10));
  }

  /** Key to etcd version of every {@code consensus/} record, read with a plain jetcd client. */
  static Map<String, Long> consensusVersions(EtcdSettings etcd) throws Exception {
    try (Client c =
        Client.builder().endpoints(etcd.endpoints().toArray(new java.net.URI[0])).build()) {
      String dir = etcd.prefix() + "consensus/";
      Map<String, Long> out = new HashMap<>();
      for (KeyValue kv :
          c.getKVClient()
              .get(bytes(dir), GetOption.builder().isPrefix(true).build())
              .get(30, TimeUnit.SECONDS)
              .getKvs()) {
        out.put(
            kv.getKey().toString(StandardCharsets.UTF_8).substring(dir.length()), kv.getVersion());
      }
      return out;
    }
  }

  static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
    clients.forEach(EtcdCoordinator::close);
  }
}
