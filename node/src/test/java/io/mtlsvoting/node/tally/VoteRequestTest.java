package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.protocol.Vote;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A tally asks the members whose votes it lacks for them (tally.vote-request-interval), and answers
 * a peer's request with its own journaled vote: the two halves of recovering votes lost on the way.
 */
class VoteRequestTest {
  static final ActorTestKit TESTKIT = ActorTestKit.create("VoteRequestTest", VoteTallyTest.CONFIG);
  static final long T0 = 1_000_000L;
  static final long TIMEOUT = 30_000L;
  static final String TX = "tx-1";
  static final TestMembers KEYS = new TestMembers("test-cluster", 5, 42);

  /** What the tally asked the listener to send: requests to members, or a vote to a peer. */
  record Sent(String txId, List<Integer> askedMembers, Vote vote, int toPeer) {}

  final AtomicLong clock = new AtomicLong(T0);
  final BanView bans = new BanView();
  final TallyMetrics metrics = new TallyMetrics();
  final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();

  @AfterAll
  static void tearDown() {
    TESTKIT.shutdownTestKit();
  }

  /** A tally of node 1 (n = 5, t = 4) asking every {@code interval} (ZERO: only when told). */
  EventSourcedBehaviorTestKit<VoteTally.Command, TallyEvent, TallyState> tally(Duration interval) {
    TallyListener listener =
        new TallyListener() {
          @Override
          public void onEvent(TallyEvent event, TallyState after) {}

          @Override
          public void onVotesMissing(String txId, List<Integer> nodeIds) {
            sent.add(new Sent(txId, nodeIds, null, 0));
          }

          @Override
          public void onVoteRequested(Vote vote, int peerId) {
            sent.add(new Sent(vote.txId(), List.of(), vote, peerId));
          }
        };
    TallyDeps deps =
        new TallyDeps(
            Membership.of("test-cluster", 1, 5, 4),
            TallySettings.defaults(Duration.ofMillis(TIMEOUT))
                .withVoteFlushDelay(Duration.ZERO)
                .withVoteRequestInterval(interval),
            bans,
            listener,
            metrics,
            clock::get);
    return VoteTallyTest.kit(TESTKIT, TX, deps);
  }

  /** A router of node 1's tallies whose idle tallies would be passivated only after an hour. */
  ActorRef<VoteRouter.Command> routerPassivatingAfterAnHour() {
    TallyDeps deps =
        new TallyDeps(
            Membership.of("test-cluster", 1, 5, 4),
            TallySettings.defaults(Duration.ofMillis(TIMEOUT))
                .withPassivateAfter(Duration.ofHours(1)),
            bans,
            TallyListener.NONE,
            metrics,
            clock::get);
    return TESTKIT.spawn(VoteRouter.create(deps));
  }

  static Vote v(int node, long value) {
    return KEYS.vote(TX, node, value);
  }

  @Test
  void asksOnlyMembersWithoutAVoteThatAreNeitherBannedNorExcluded() {
    var kit = tally(Duration.ZERO);
    kit.runCommand(new VoteTally.Deliver(v(2, 7)));
    kit.runCommand(new VoteTally.Deliver(v(3, 7)));
    kit.runCommand(new VoteTally.Deliver(v(3, 8))); // double vote: 3 is excluded
    bans.ban(4);

    kit.runCommand(new VoteTally.RequestMissing());

    // Node 1 is this node: its own vote is not asked for.
    assertEquals(List.of(new Sent(TX, List.of(5), null, 0)), List.copyOf(sent));
    assertEquals(1, metrics.get("votes.requested"));
  }

  @Test
  void asksNothingBeforeTheTallyOpensNorOnceItsDeadlinePassed() {
    var kit = tally(Duration.ZERO);
    kit.runCommand(new VoteTally.RequestMissing());
    assertTrue(sent.isEmpty(), "nothing to ask for on a tx nobody voted on: " + sent);

    kit.runCommand(new VoteTally.Deliver(v(2, 7)));
    clock.set(T0 + TIMEOUT);
    kit.runCommand(new VoteTally.RequestMissing());
    assertTrue(sent.isEmpty(), "the deadline decides who was silent: " + sent);
  }

  @Test
  void answersARequestWithItsOwnVoteOnlyAndNeverABannedPeer() {
    var kit = tally(Duration.ZERO);
    kit.runCommand(new VoteTally.Deliver(v(2, 7)));
    kit.runCommand(new VoteTally.SendOwnVote(2));
    assertTrue(sent.isEmpty(), "no own vote yet, nothing to send: " + sent);

    kit.runCommand(
        new VoteTally.CastOwn(v(1, 7), TESTKIT.<VoteTally.CastReply>createTestProbe().ref()));
    kit.runCommand(new VoteTally.SendOwnVote(3));
    bans.ban(4);
    kit.runCommand(new VoteTally.SendOwnVote(4));

    assertEquals(List.of(new Sent(TX, List.of(), v(1, 7), 3)), List.copyOf(sent));
    assertEquals(1, metrics.get("votes.sent-on-request"));
    assertTrue(kit.runCommand(new VoteTally.SendOwnVote(3)).events().isEmpty(), "journals nothing");
  }

  @Test
  void aTallyWokenOnlyToAnswerStopsAtOnce() {
    ActorRef<VoteRouter.Command> router = routerPassivatingAfterAnHour();
    TestProbe<Integer> live = TESTKIT.createTestProbe();
    router.tell(new VoteRouter.Route("never-voted-2", new VoteTally.SendOwnVote(2)));
    // Without a vote here it has nothing to keep: it does not wait out passivate-after (1 h).
    live.awaitAssert(
        Duration.ofSeconds(30),
        () -> {
          router.tell(new VoteRouter.GetLiveCount(live.ref()));
          assertEquals(0, live.receiveMessage().intValue());
          return null;
        });
    TESTKIT.stop(router);
  }

  @Test
  void aTallyWithSomeoneWaitingForItsDecisionKeepsRunningAfterAnswering() {
    ActorRef<VoteRouter.Command> router = routerPassivatingAfterAnHour();
    String tx = "waited-1";
    TestProbe<TallyState> waiter = TESTKIT.createTestProbe();
    router.tell(new VoteRouter.Route(tx, new VoteTally.AwaitDecision(waiter.ref())));
    router.tell(new VoteRouter.Route(tx, new VoteTally.SendOwnVote(2)));
    // Once the tally answered this, the router has heard of any offer to stop it made before.
    TestProbe<TallyState> state = TESTKIT.createTestProbe();
    router.tell(new VoteRouter.Route(tx, new VoteTally.GetState(state.ref())));
    state.receiveMessage(Duration.ofSeconds(30));
    TestProbe<Integer> live = TESTKIT.createTestProbe();
    router.tell(new VoteRouter.GetLiveCount(live.ref()));
    assertEquals(1, live.receiveMessage(Duration.ofSeconds(30)).intValue(), "still running");
    for (int node = 2; node <= 5; node++) {
      router.tell(new VoteRouter.Route(tx, new VoteTally.Deliver(KEYS.vote(tx, node, 7))));
    }
    TallyState decided = waiter.receiveMessage(Duration.ofSeconds(30));
    assertEquals(Phase.THRESHOLD_REACHED, decided.phase());
    TESTKIT.stop(router);
  }

  @Test
  void asksAgainAtTheIntervalWhileAVoteIsMissing() throws InterruptedException {
    var kit = tally(Duration.ofMillis(50));
    kit.runCommand(new VoteTally.Deliver(v(2, 7)));
    Sent first = sent.poll(30, TimeUnit.SECONDS);
    Sent second = sent.poll(30, TimeUnit.SECONDS);
    assertNotNull(first, "asked once the interval passed");
    assertNotNull(second, "asked again while the votes are still missing");
    assertEquals(List.of(3, 4, 5), first.askedMembers());
    assertEquals(List.of(3, 4, 5), second.askedMembers());
    // Stop the asking: with every member's vote in there is nothing left to ask for.
    for (int node = 3; node <= 5; node++) {
      kit.runCommand(new VoteTally.Deliver(v(node, 7)));
    }
  }
}
