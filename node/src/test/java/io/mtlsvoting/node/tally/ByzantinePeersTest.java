package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.protocol.Evidence;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One real node (ingress + router + tallies + ban authority) driven by scripted fake peers that
 * sign with the real member keys made by generate-certs.sh, through the same PeerIngress the
 * network uses.
 */
class ByzantinePeersTest {
  static final String CLUSTER = "test-cluster";
  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.serialization-bindings {\n"
                  + "  \"io.mtlsvoting.node.tally.TallySerializable\" = jackson-cbor\n"
                  + "}\n")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .resolve();
  static final ActorTestKit TESTKIT = ActorTestKit.create("ByzantinePeersTest", CONFIG);
  static final Duration WAIT = Duration.ofSeconds(15);

  /** Records what the node sends. */
  static final class RecordingBroadcaster implements Broadcaster {
    final ConcurrentLinkedQueue<Message> broadcasts = new ConcurrentLinkedQueue<>();

    @Override
    public void broadcast(Message m) {
      broadcasts.add(m);
    }

    /** What was sent to one peer: {@code nodeId -> message}. */
    final ConcurrentLinkedQueue<Map.Entry<Integer, Message>> sent = new ConcurrentLinkedQueue<>();

    @Override
    public boolean sendTo(int nodeId, Message m) {
      sent.add(Map.entry(nodeId, m));
      return true;
    }

    @Override
    public boolean connected(int nodeId) {
      return true;
    }
  }

  final RealCerts certs = RealCerts.five();
  final AtomicLong clock = new AtomicLong(1_000_000L);
  final ConcurrentLinkedQueue<TallyEvent> events = new ConcurrentLinkedQueue<>();
  final RecordingBroadcaster wire = new RecordingBroadcaster();
  final BanView bans = new BanView();
  final TallyMetrics metrics = new TallyMetrics();
  final Membership membership = Membership.of(CLUSTER, 1, 5, 4);
  final TallySettings settings =
      TallySettings.defaults(Duration.ofSeconds(30)).withPassivateAfter(Duration.ofMillis(200));
  ActorRef<BanRegistry.Command> registry;
  ActorRef<VoteRouter.Command> router;
  VerifyingIngress ingress;
  VoteCaster caster;
  TestProbe<Object> probe;

  @BeforeEach
  void startNode() {
    PersistenceTestKit.create(TESTKIT.system()).clearAll();
    registry = TESTKIT.spawn(BanRegistry.create(1, settings, bans, clock::get));
    TallyListener recorder = (e, after) -> events.add(e);
    TallyListener listener =
        TallyListener.all(List.of(recorder, new NodeTallyListener(1, wire, registry)));
    TallyDeps deps = new TallyDeps(membership, settings, bans, listener, metrics, clock::get);
    router = TESTKIT.spawn(VoteRouter.create(deps));
    ingress = VerifyingIngress.create(membership, certs.certs, router, settings, metrics);
    caster =
        new VoteCaster(
            membership,
            certs.signers.get(1),
            router,
            TESTKIT.scheduler(),
            Duration.ofSeconds(10),
            clock::get,
            tx -> false);
    probe = TESTKIT.createTestProbe();
  }

  @AfterEach
  void stopNode() {
    ingress.close();
    TESTKIT.stop(router);
    TESTKIT.stop(registry);
  }

  @AfterAll
  static void shutdown() {
    TESTKIT.shutdownTestKit();
  }

  Vote signed(int node, String tx, long value) {
    return certs.signers.get(node).sign(CLUSTER, tx, node, value, clock.get());
  }

  void peerVotes(String tx, long value, int... nodes) {
    for (int n : nodes) {
      ingress.deliver(n, signed(n, tx, value));
    }
  }

  void castOwn(String tx, long value) throws Exception {
    var reply = caster.castVote(tx, value).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertInstanceOf(VoteTally.CastAccepted.class, reply);
  }

  TallyState awaitPhase(String tx, Phase phase) {
    return probe.awaitAssert(
        WAIT,
        () -> {
          TallyState s = state(tx);
          assertEquals(phase, s.phase());
          return s;
        });
  }

  TallyState state(String tx) {
    try {
      return caster.status(tx).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  Set<String> violations(String tx) {
    return state(tx).violations().stream()
        .map(r -> r.type() + ":" + r.nodeId())
        .collect(Collectors.toCollection(java.util.TreeSet::new));
  }

  void awaitBanned(int... nodes) {
    probe.awaitAssert(
        WAIT,
        () -> {
          for (int n : nodes) {
            assertTrue(bans.test(n), "node " + n + " banned");
          }
          return null;
        });
  }

  ReputationState reputation() {
    TestProbe<ReputationState> p = TESTKIT.createTestProbe();
    registry.tell(new BanRegistry.GetReputation(p.ref()));
    return p.receiveMessage();
  }

  @Test
  void doubleVoteIsDetectedBannedAndGossipedWhileHonestNodesDecide() throws Exception {
    String tx = "dv-1";
    castOwn(tx, 7);
    peerVotes(tx, 7, 3, 4);
    ingress.deliver(2, signed(2, tx, 7));
    ingress.deliver(2, signed(2, tx, 8));
    awaitBanned(2);
    peerVotes(tx, 7, 5);
    TallyState s = awaitPhase(tx, Phase.THRESHOLD_REACHED);
    assertEquals(7, s.certificate().value());
    assertEquals(Set.of("DOUBLE_VOTING:2"), violations(tx));
    ViolationRecord r = s.violations().get(0);
    assertEquals(Set.of(7L, 8L), Set.of(r.vote().value(), r.otherVote().value()));
    assertTrue(
        certs.certs.keySet().stream().allMatch(id -> id == 2 || !bans.test(id)),
        "honest nodes not banned");
    probe.awaitAssert(
        WAIT,
        () -> {
          assertTrue(wire.broadcasts.stream().anyMatch(m -> m instanceof Evidence));
          return null;
        });
    assertTrue(
        s.certificate().verify(certs.ca, certs.certs, 4).valid(), "QC verifies with real certs");
  }

  @Test
  void minorityBeforeAndAfterTheThresholdCostsReputation() throws Exception {
    peerVotes("min-1", 9, 5);
    castOwn("min-1", 7);
    peerVotes("min-1", 7, 2, 3, 4);
    awaitPhase("min-1", Phase.THRESHOLD_REACHED);
    castOwn("min-2", 7);
    peerVotes("min-2", 7, 2, 3, 4);
    awaitPhase("min-2", Phase.THRESHOLD_REACHED);
    peerVotes("min-2", 9, 5);
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(Set.of("MINORITY_VOTE:5"), violations("min-2"));
          assertEquals(0.8, reputation().score(5), 1e-9);
          return null;
        });
    assertEquals(Set.of("MINORITY_VOTE:5"), violations("min-1"));
    assertEquals(1.0, reputation().score(2), 1e-9);
  }

  @Test
  void invalidSignatureBansTheSender() throws Exception {
    String tx = "sig-1";
    Vote good = signed(3, tx, 7);
    byte[] sig = good.signature();
    sig[5] ^= 0x40;
    ingress.deliver(3, good.withSignature(sig));
    awaitBanned(3);
    castOwn(tx, 7);
    peerVotes(tx, 7, 2, 4, 5);
    awaitPhase(tx, Phase.THRESHOLD_REACHED);
    assertEquals(Set.of("INVALID_SIGNATURE:3"), violations(tx));
  }

  @Test
  void spoofedIdentityIsBlamedOnTheAuthenticatedSender() {
    String tx = "spoof-1";
    ingress.deliver(2, signed(3, tx, 7));
    awaitBanned(2);
    assertEquals(Set.of("INVALID_SIGNATURE:2"), violations(tx));
    assertTrue(!bans.test(3), "the impersonated node is not accused");
  }

  @Test
  void voteReplayedFromAnotherClusterIsInvalid() {
    String tx = "replay-1";
    Vote foreign = certs.signers.get(2).sign("other-cluster", tx, 2, 7, clock.get());
    ingress.deliver(2, foreign);
    awaitBanned(2);
    assertEquals(Set.of("INVALID_SIGNATURE:2"), violations(tx));
    assertEquals(Phase.NEW, state(tx).phase(), "an invalid vote does not open the tally");
  }

  @Test
  void silentMemberIsRecordedAtTheDeadline() throws Exception {
    String tx = "silent-1";
    castOwn(tx, 7);
    peerVotes(tx, 7, 2, 3, 4);
    awaitPhase(tx, Phase.THRESHOLD_REACHED);
    clock.addAndGet(30_000);
    router.tell(new VoteRouter.Route(tx, new VoteTally.DeadlineTick()));
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(Set.of("SILENT_FAILURE:5"), violations(tx));
          assertEquals(0.95, reputation().score(5), 1e-9);
          return null;
        });
  }

  @Test
  void aMemberSilentInManyTxsIsRecordedEachTimeButChargedOncePerInterval() throws Exception {
    // A member down while 12 txs are decided (a restart under load): every tx records its
    // silence, the reputation pays once per silent-penalty-interval, so it is not banned.
    for (int i = 0; i < 12; i++) {
      String tx = "down-" + i;
      castOwn(tx, 3);
      peerVotes(tx, 3, 2, 3, 4);
      awaitPhase(tx, Phase.THRESHOLD_REACHED);
    }
    clock.addAndGet(30_000);
    for (int i = 0; i < 12; i++) {
      router.tell(new VoteRouter.Route("down-" + i, new VoteTally.DeadlineTick()));
    }
    probe.awaitAssert(
        WAIT,
        () -> {
          for (int i = 0; i < 12; i++) {
            assertEquals(Set.of("SILENT_FAILURE:5"), violations("down-" + i));
          }
          return null;
        });
    // A tally tells the registry of a penalty before it answers a state query showing the
    // violation, so this question reaches the registry after all 12 penalties.
    assertEquals(0.95, reputation().score(5), 1e-9);
    assertFalse(bans.test(5), "12 silences within a minute do not ban");
  }

  @Test
  void evidenceForADoubleVoteNeverSeenBansTheOffenderAndBadEvidenceIsOnlyCounted() {
    String tx = "ev-1";
    Evidence forged = new Evidence(signed(4, tx, 1), signed(4, tx, 1).withSignature(new byte[64]));
    ingress.deliver(3, forged);
    ingress.deliver(3, new Evidence(signed(2, tx, 1), signed(2, tx, 2)));
    awaitBanned(2);
    assertEquals(Set.of("DOUBLE_VOTING:2"), violations(tx));
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(1, metrics.get("ingress.invalid-evidence"));
          return null;
        });
    assertTrue(!bans.test(4) && !bans.test(3));
    assertTrue(
        wire.broadcasts.stream().noneMatch(m -> m instanceof Evidence),
        "received evidence is not re-gossiped");
  }

  @Test
  void aPeersVoteRequestIsAnsweredWithThisNodesVoteToThatPeerOnly() throws Exception {
    castOwn("asked-1", 7);
    ingress.deliver(2, new VoteRequest("never-voted-1"));
    ingress.deliver(3, new VoteRequest("asked-1"));
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(1, metrics.get("votes.sent-on-request"));
          return null;
        });
    assertEquals(2, metrics.get("ingress.vote-requests"));
    Vote mine = state("asked-1").votes().get(1);
    assertEquals(List.of(Map.entry(3, (Message) mine)), List.copyOf(wire.sent));
  }

  @Test
  void floodOfTransactionsDecidesAllAndPassivates() throws Exception {
    int txs = 300;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < txs; i++) {
      String tx = "flood-" + i;
      ids.add(tx);
      castOwn(tx, i);
      peerVotes(tx, i, 2, 3, 4, 5);
    }
    for (String tx : ids) {
      awaitPhase(tx, Phase.THRESHOLD_REACHED);
    }
    TestProbe<Integer> live = TESTKIT.createTestProbe();
    live.awaitAssert(
        WAIT,
        () -> {
          router.tell(new VoteRouter.GetLiveCount(live.ref()));
          assertEquals(0, live.receiveMessage().intValue());
          return null;
        });
    assertTrue(events.stream().noneMatch(e -> e instanceof TallyEvent.Violation));
    assertEquals(Phase.THRESHOLD_REACHED, state("flood-7").phase(), "revived from the journal");
  }
}
