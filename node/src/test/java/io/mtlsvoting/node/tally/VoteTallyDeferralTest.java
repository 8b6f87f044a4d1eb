package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.protocol.Vote;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * tally.vote-flush-delay: a peer's vote that decides nothing waits for the tally's next write;
 * whatever anyone is told of is journaled, together with the waiting votes, before it is told.
 */
class VoteTallyDeferralTest {
  static final ActorTestKit TESTKIT =
      ActorTestKit.create("VoteTallyDeferralTest", VoteTallyTest.CONFIG);
  static final long T0 = 1_000_000L;
  static final long TIMEOUT = 30_000L;
  static final String TX = "tx-1";
  static final TestMembers KEYS = VoteTallyTest.KEYS;

  final AtomicLong clock = new AtomicLong(T0);
  final List<TallyEvent> told = new CopyOnWriteArrayList<>();
  final List<Vote> repeated = new CopyOnWriteArrayList<>();

  EventSourcedBehaviorTestKit<VoteTally.Command, TallyEvent, TallyState> kit(Duration flushDelay) {
    TallyDeps deps =
        new TallyDeps(
            Membership.of("test-cluster", 1, 5, 4),
            TallySettings.defaults(Duration.ofMillis(TIMEOUT)).withVoteFlushDelay(flushDelay),
            new BanView(),
            new TallyListener() {
              @Override
              public void onEvent(TallyEvent e, TallyState after) {
                told.add(e);
              }

              @Override
              public void onOwnVoteRepeated(Vote vote) {
                repeated.add(vote);
              }
            },
            new TallyMetrics(),
            clock::get);
    return VoteTallyTest.kit(TESTKIT, TX, deps);
  }

  @AfterAll
  static void tearDown() {
    TESTKIT.shutdownTestKit();
  }

  static Vote v(int node, long value) {
    return KEYS.vote(TX, node, value);
  }

  static List<TallyEvent> deliver(
      EventSourcedBehaviorTestKit<VoteTally.Command, TallyEvent, TallyState> kit,
      int node,
      long value) {
    return kit.runCommand(new VoteTally.Deliver(v(node, value))).events();
  }

  @Test
  void aPeerVoteThatDecidesNothingIsNotJournaledOnItsOwnNorTold() {
    var kit = kit(Duration.ofHours(1));
    assertEquals(List.of(), deliver(kit, 2, 7));
    assertEquals(List.of(), deliver(kit, 3, 7));
    assertEquals(Phase.NEW, kit.getState().phase(), "the journaled state has no vote yet");
    assertEquals(List.of(), told);
  }

  @Test
  void theDecidingVoteJournalsTheWaitingVotesFirstInTheSameWrite() {
    var kit = kit(Duration.ofHours(1));
    deliver(kit, 2, 7);
    deliver(kit, 3, 7);
    deliver(kit, 4, 7);
    List<TallyEvent> events = deliver(kit, 5, 7);
    assertEquals(
        List.of(
            new TallyEvent.Opened(TX, T0, T0 + TIMEOUT),
            new TallyEvent.VoteCounted(TX, v(2, 7)),
            new TallyEvent.VoteCounted(TX, v(3, 7)),
            new TallyEvent.VoteCounted(TX, v(4, 7)),
            new TallyEvent.VoteCounted(TX, v(5, 7))),
        events.subList(0, 5));
    TallyEvent.ThresholdReached decided =
        assertInstanceOf(TallyEvent.ThresholdReached.class, events.get(5));
    assertEquals(7, decided.certificate().value());
    assertEquals(Phase.THRESHOLD_REACHED, kit.getState().phase());
    assertEquals(4, kit.getState().votes().size());
    assertEquals(events, told, "the listener hears of all of them, after the write");
  }

  @Test
  void theOwnVoteCarriesTheWaitingPeerVotes() {
    var kit = kit(Duration.ofHours(1));
    deliver(kit, 2, 7);
    var reply = kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 7), ref));
    assertInstanceOf(VoteTally.CastAccepted.class, reply.reply());
    assertEquals(
        List.of(
            new TallyEvent.Opened(TX, T0, T0 + TIMEOUT),
            new TallyEvent.VoteCounted(TX, v(2, 7)),
            new TallyEvent.VoteCounted(TX, v(1, 7))),
        reply.events());
    assertEquals(2, kit.getState().votes().size());
  }

  @Test
  void aDoubleVoteAgainstAWaitingVoteIsDetectedAndBothAreJournaled() {
    var kit = kit(Duration.ofHours(1));
    deliver(kit, 2, 7);
    List<TallyEvent> events = deliver(kit, 2, 8);
    assertEquals(new TallyEvent.VoteCounted(TX, v(2, 7)), events.get(1));
    TallyEvent.DoubleVoteDetected dv =
        assertInstanceOf(TallyEvent.DoubleVoteDetected.class, events.get(2));
    assertEquals(v(2, 7), dv.first());
    assertEquals(v(2, 8), dv.second());
    assertTrue(kit.getState().excluded().contains(2));
  }

  @Test
  void aFlushJournalsTheWaitingVotes() {
    var kit = kit(Duration.ofHours(1));
    deliver(kit, 2, 7);
    List<TallyEvent> events = kit.runCommand(new VoteTally.FlushVotes()).events();
    assertEquals(
        List.of(
            new TallyEvent.Opened(TX, T0, T0 + TIMEOUT), new TallyEvent.VoteCounted(TX, v(2, 7))),
        events);
    assertEquals(Phase.COLLECTING, kit.getState().phase());
    assertEquals(List.of(), kit.runCommand(new VoteTally.FlushVotes()).events(), "nothing left");
  }

  @Test
  void theFlushTimerJournalsAWaitingVoteByItself() throws InterruptedException {
    var kit = kit(Duration.ofMillis(50));
    deliver(kit, 2, 7);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (kit.getState().votes().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(1, kit.getState().votes().size(), "journaled by the timer");
    assertEquals(
        List.of(
            new TallyEvent.Opened(TX, T0, T0 + TIMEOUT), new TallyEvent.VoteCounted(TX, v(2, 7))),
        told);
  }

  @Test
  void aRestartBeforeTheFlushForgetsOnlyTheWaitingVotes() {
    var kit = kit(Duration.ofHours(1));
    kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 7), ref));
    deliver(kit, 2, 7);
    kit.restart();
    assertEquals(List.of(1), List.copyOf(kit.getState().votes().keySet()));
    // The peer's vote arriving again (e.g. re-sent) is counted as new.
    assertEquals(List.of(), deliver(kit, 2, 7));
  }

  @Test
  void castingTheJournaledOwnVoteAgainSendsItAgainAndJournalsNothing() {
    var kit = kit(Duration.ofHours(1));
    kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 7), ref));
    assertEquals(List.of(), repeated, "the first cast is sent through the journaled event");
    var again = kit.<VoteTally.CastReply>runCommand(ref -> new VoteTally.CastOwn(v(1, 7), ref));
    assertInstanceOf(VoteTally.AlreadyVoted.class, again.reply());
    assertEquals(List.of(), again.events());
    assertEquals(List.of(v(1, 7)), repeated);
  }

  @Test
  void withZeroDelayEveryVoteIsJournaledAtOnce() {
    var kit = kit(Duration.ZERO);
    assertEquals(
        List.of(
            new TallyEvent.Opened(TX, T0, T0 + TIMEOUT), new TallyEvent.VoteCounted(TX, v(2, 7))),
        deliver(kit, 2, 7));
  }
}
