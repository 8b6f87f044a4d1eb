package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.protocol.Evidence;
import io.mtlsvoting.protocol.Vote;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The rules of DESIGN section 5 through the real event-sourced tally and an in-memory journal. */
class VoteTallyTest {
  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.serialization-bindings {\n"
                  + "  \"io.mtlsvoting.node.tally.TallySerializable\" = jackson-cbor\n"
                  + "}\n")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .resolve();
  static final ActorTestKit TESTKIT = ActorTestKit.create("VoteTallyTest", CONFIG);
  static final long T0 = 1_000_000L;
  static final long TIMEOUT = 30_000L;
  static final String TX = "tx-1";
  static final TestMembers KEYS = new TestMembers("test-cluster", 5, 42);

  final AtomicLong clock = new AtomicLong(T0);
  final BanView bans = new BanView();
  final List<TallyEvent> told = new CopyOnWriteArrayList<>();
  final TallyMetrics metrics = new TallyMetrics();
  EventSourcedBehaviorTestKit<VoteTally.Command, TallyEvent, TallyState> kit;
  static int instance;

  @BeforeEach
  void setUp() {
    TallyDeps deps =
        new TallyDeps(
            Membership.of("test-cluster", 1, 5, 4),
            // One write per command, so each test sees the events of exactly one rule; the
            // deferral of peer votes is VoteTallyDeferralTest's subject.
            TallySettings.defaults(Duration.ofMillis(TIMEOUT)).withVoteFlushDelay(Duration.ZERO),
            bans,
            (e, after) -> told.add(e),
            metrics,
            clock::get);
    kit = kit(TESTKIT, TX, deps);
  }

  /**
   * A tally of {@code tx} on {@code testKit}'s in-memory journal (cleared), without a router; its
   * events and state are checked for serializability, its commands not (they carry actor refs).
   */
  static EventSourcedBehaviorTestKit<VoteTally.Command, TallyEvent, TallyState> kit(
      ActorTestKit testKit, String tx, TallyDeps deps) {
    EventSourcedBehaviorTestKit<VoteTally.Command, TallyEvent, TallyState> kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            VoteTally.create(tx, deps, null),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false));
    kit.clear();
    return kit;
  }

  @AfterAll
  static void tearDown() {
    TESTKIT.shutdownTestKit();
  }

  static Vote v(int node, long value) {
    return KEYS.vote(TX, node, value);
  }

  List<TallyEvent> deliver(int node, long value) {
    return kit.runCommand(new VoteTally.Deliver(v(node, value))).events();
  }

  @Test
  void firstVoteOpensTheTallyWithTheDeadline() {
    List<TallyEvent> events = deliver(2, 7);
    assertEquals(
        List.of(
            new TallyEvent.Opened(TX, T0, T0 + TIMEOUT), new TallyEvent.VoteCounted(TX, v(2, 7))),
        events);
    assertEquals(Phase.COLLECTING, kit.getState().phase());
    assertEquals(events, told, "listener hears of journaled events");
  }

  @Test
  void repeatOfTheSameValueIsANoOp() {
    deliver(2, 7);
    assertTrue(deliver(2, 7).isEmpty());
    assertEquals(1, kit.getState().votes().size());
  }

  @Test
  void thresholdBuildsCertificateAndFlagsEarlierMinority() {
    deliver(5, 9);
    deliver(1, 7);
    deliver(2, 7);
    deliver(3, 7);
    List<TallyEvent> events = deliver(4, 7);
    TallyEvent.ThresholdReached tr =
        assertInstanceOf(TallyEvent.ThresholdReached.class, events.get(1));
    assertEquals(7, tr.certificate().value());
    assertEquals(List.of(v(1, 7), v(2, 7), v(3, 7), v(4, 7)), tr.certificate().votes());
    assertEquals(new TallyEvent.MinorityVoteDetected(TX, 5, v(5, 9), 7), events.get(2));
    assertEquals(Phase.THRESHOLD_REACHED, kit.getState().phase());
  }

  @Test
  void lateDissentIsAMinorityVote() {
    for (int i = 1; i <= 4; i++) {
      deliver(i, 7);
    }
    List<TallyEvent> events = deliver(5, 8);
    assertEquals(
        List.of(
            new TallyEvent.VoteCounted(TX, v(5, 8)),
            new TallyEvent.MinorityVoteDetected(TX, 5, v(5, 8), 7)),
        events);
  }

  @Test
  void doubleVoteIsRecordedWithBothVotesAndRemovedFromCounts() {
    deliver(2, 7);
    List<TallyEvent> events = deliver(2, 8);
    assertEquals(List.of(new TallyEvent.DoubleVoteDetected(TX, 2, v(2, 7), v(2, 8), 1)), events);
    TallyState s = kit.getState();
    assertFalse(s.votes().containsKey(2));
    assertEquals(Set.of(2), s.excluded());
    assertTrue(deliver(2, 7).isEmpty(), "an equivocator's later votes are ignored");
  }

  @Test
  void splitAbortsAsSoonAsNoValueCanReachTheThreshold() {
    deliver(1, 1);
    deliver(2, 2);
    List<TallyEvent> events = deliver(3, 3);
    TallyEvent.Aborted a =
        assertInstanceOf(TallyEvent.Aborted.class, events.get(events.size() - 1));
    assertEquals(Phase.ABORTED_SPLIT, a.outcome());
    assertEquals(Phase.ABORTED_SPLIT, kit.getState().phase());
  }

  @Test
  void abortCausedByAViolationIsByzantine() {
    deliver(1, 1);
    deliver(2, 2);
    deliver(2, 3);
    List<TallyEvent> events = deliver(3, 2);
    TallyEvent.Aborted a =
        assertInstanceOf(TallyEvent.Aborted.class, events.get(events.size() - 1));
    assertEquals(Phase.ABORTED_BYZANTINE, a.outcome());
  }

  @Test
  void deadlineRecordsSilentMembersAndTimesOut() {
    deliver(1, 7);
    deliver(2, 7);
    deliver(3, 7);
    assertTrue(kit.runCommand(new VoteTally.DeadlineTick()).events().isEmpty(), "too early");
    clock.set(T0 + TIMEOUT);
    List<TallyEvent> events = kit.runCommand(new VoteTally.DeadlineTick()).events();
    assertEquals(
        List.of(
            new TallyEvent.DeadlineReached(TX, T0 + TIMEOUT),
            new TallyEvent.SilentFailureDetected(TX, 4, T0 + TIMEOUT),
            new TallyEvent.SilentFailureDetected(TX, 5, T0 + TIMEOUT),
            new TallyEvent.Aborted(
                TX, Phase.ABORTED_TIMEOUT, "no value reached the threshold in time")),
        events);
    assertTrue(kit.runCommand(new VoteTally.DeadlineTick()).events().isEmpty(), "only once");
  }

  @Test
  void restartRecoversStateAndTheOriginalDeadline() {
    deliver(1, 7);
    clock.set(T0 + 20_000);
    deliver(2, 7);
    kit.restart();
    TallyState s = kit.getState();
    assertEquals(T0 + TIMEOUT, s.deadline());
    assertEquals(2, s.votes().size());
    clock.set(T0 + TIMEOUT - 1);
    assertTrue(kit.runCommand(new VoteTally.DeadlineTick()).events().isEmpty());
    clock.set(T0 + TIMEOUT);
    List<TallyEvent> events = kit.runCommand(new VoteTally.DeadlineTick()).events();
    assertEquals(new TallyEvent.DeadlineReached(TX, T0 + TIMEOUT), events.get(0));
  }

  @Test
  void bannedNodesAreIgnoredAndCounted() {
    bans.ban(3);
    deliver(1, 7);
    assertTrue(deliver(3, 7).isEmpty());
    assertEquals(1, metrics.get("votes.ignored_banned"));
  }

  @Test
  void aBanDropsTheVoteFromAnOpenTally() {
    deliver(1, 7);
    deliver(3, 7);
    bans.ban(3);
    List<TallyEvent> events = kit.runCommand(new VoteTally.ExcludeBanned(3)).events();
    assertEquals(new TallyEvent.BannedVoterExcluded(TX, 3, v(3, 7)), events.get(0));
    assertFalse(kit.getState().votes().containsKey(3));
  }

  @Test
  void commitOfTheSameValueCommitsAndADifferentValueRaisesTheAlarm() {
    for (int i = 1; i <= 4; i++) {
      deliver(i, 7);
    }
    var r1 = kit.<VoteTally.CommitReply>runCommand(ref -> new VoteTally.Commit(7, ref));
    assertEquals(TallyRules.CommitOutcome.COMMITTED, r1.reply().outcome());
    assertEquals(Phase.COMMITTED, kit.getState().phase());
    var r2 = kit.<VoteTally.CommitReply>runCommand(ref -> new VoteTally.Commit(8, ref));
    assertEquals(TallyRules.CommitOutcome.SAFETY_ALARM, r2.reply().outcome());
    assertEquals(List.of(new TallyEvent.SafetyAlarm(TX, 7, 8)), r2.events());
    assertEquals(8L, kit.getState().alarmValue());
  }

  @Test
  void commitBeforeADecisionIsRefused() {
    deliver(1, 7);
    var r = kit.<VoteTally.CommitReply>runCommand(ref -> new VoteTally.Commit(7, ref));
    assertEquals(TallyRules.CommitOutcome.NOT_DECIDED, r.reply().outcome());
    assertTrue(r.events().isEmpty());
  }

  @Test
  void invalidSignatureIsRecordedAgainstTheSenderOnce() {
    deliver(2, 7);
    Vote forged = v(2, 7).withSignature(new byte[64]);
    var events = kit.runCommand(new VoteTally.ReportInvalidSignature(2, forged, "bad")).events();
    assertEquals(List.of(new TallyEvent.InvalidSignatureDetected(TX, 2, forged, "bad")), events);
    assertFalse(kit.getState().votes().containsKey(2));
    assertTrue(
        kit.runCommand(new VoteTally.ReportInvalidSignature(2, forged, "bad")).events().isEmpty());
  }

  @Test
  void evidenceProvesADoubleVoteThisNodeNeverSaw() {
    deliver(3, 7);
    var events =
        kit.runCommand(new VoteTally.ReportEvidence(new Evidence(v(4, 1), v(4, 2)), 5)).events();
    assertEquals(List.of(new TallyEvent.DoubleVoteDetected(TX, 4, v(4, 1), v(4, 2), 5)), events);
    assertTrue(kit.getState().excluded().contains(4));
  }

  @Test
  void anEchoedConflictingVoteProvesADoubleVoteAndAMatchingOneIsIgnored() {
    deliver(3, 7);
    assertTrue(
        kit.runCommand(new VoteTally.CrossCheck(v(3, 7))).events().isEmpty(),
        "the same value is no proof");
    assertTrue(
        kit.runCommand(new VoteTally.CrossCheck(v(4, 9))).events().isEmpty(),
        "an echo is never counted as a vote");
    assertFalse(kit.getState().votes().containsKey(4));
    var events = kit.runCommand(new VoteTally.CrossCheck(v(3, 8))).events();
    assertEquals(List.of(new TallyEvent.DoubleVoteDetected(TX, 3, v(3, 7), v(3, 8), 1)), events);
    assertTrue(kit.getState().excluded().contains(3));
  }

  @Test
  void ownVoteOfAnotherValueIsRefused() {
    var first = kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 7), ref));
    assertInstanceOf(VoteTally.CastAccepted.class, first.reply());
    var again = kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 7), ref));
    assertInstanceOf(VoteTally.AlreadyVoted.class, again.reply());
    var other = kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 8), ref));
    assertInstanceOf(VoteTally.CastRefused.class, other.reply());
    assertTrue(other.events().isEmpty());
  }

  @Test
  void awaitDecisionRepliesOnceDecided() {
    deliver(1, 7);
    TestProbe<TallyState> probe = TESTKIT.createTestProbe();
    kit.runCommand(new VoteTally.AwaitDecision(probe.ref()));
    deliver(2, 7);
    deliver(3, 7);
    deliver(4, 7);
    assertEquals(Phase.THRESHOLD_REACHED, probe.receiveMessage().phase());
  }
}
