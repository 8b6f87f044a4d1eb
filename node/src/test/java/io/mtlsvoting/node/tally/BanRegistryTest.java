package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reputation penalties, bans, unban and ban persistence across restarts. */
class BanRegistryTest {
  static final ActorTestKit TESTKIT = ActorTestKit.create("BanRegistryTest", VoteTallyTest.CONFIG);
  final BanView view = new BanView();
  final AtomicLong clock = new AtomicLong(1_000_000L);
  EventSourcedBehaviorTestKit<BanRegistry.Command, ReputationEvent, ReputationState> kit;

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            TESTKIT.system(),
            BanRegistry.create(1, TallySettings.defaults(Duration.ofSeconds(30)), view, clock::get),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false));
    kit.clear();
  }

  @AfterAll
  static void tearDown() {
    TESTKIT.shutdownTestKit();
  }

  @Test
  void penaltiesAccumulateAndBanBelowTheThreshold() {
    for (int i = 0; i < 5; i++) {
      kit.runCommand(new BanRegistry.Penalize(3, ViolationType.MINORITY_VOTE, "tx-" + i));
    }
    assertEquals(0.5, kit.getState().score(3), 1e-9);
    assertFalse(view.test(3), "0.5 is not below ban-below 0.5");
    var r = kit.runCommand(new BanRegistry.Penalize(3, ViolationType.SILENT_FAILURE, "tx-x"));
    assertTrue(r.events().get(1) instanceof ReputationEvent.Banned);
    assertTrue(view.test(3));
  }

  @Test
  void provenViolationsBanAtOnceAndSurviveRestart() {
    kit.runCommand(new BanRegistry.Ban(2, ViolationType.DOUBLE_VOTING, "tx", "two values"));
    assertTrue(view.test(2));
    view.unban(2); // forget it in memory only, as a fresh process would
    kit.restart();
    assertTrue(kit.getState().bannedNode(2));
    assertTrue(view.test(2), "recovery republishes the banned set");
  }

  @Test
  void selfIsNeverPenalizedOrBanned() {
    assertTrue(
        kit.runCommand(new BanRegistry.Ban(1, ViolationType.INVALID_SIGNATURE, "tx", "x"))
            .events()
            .isEmpty());
    assertFalse(view.test(1));
  }

  @Test
  void unbanResetsTheScoreToOne() {
    kit.runCommand(new BanRegistry.Ban(4, ViolationType.INVALID_SIGNATURE, "tx", "forged"));
    var r = kit.<BanRegistry.UnbanResult>runCommand(ref -> new BanRegistry.Unban(4, ref));
    assertTrue(r.reply().wasBanned());
    assertFalse(view.test(4));
    assertEquals(1.0, kit.getState().score(4), 1e-9);
    var again = kit.<BanRegistry.UnbanResult>runCommand(ref -> new BanRegistry.Unban(4, ref));
    assertFalse(again.reply().wasBanned());
  }

  @Test
  void silenceCostsOncePerIntervalPerMemberWhileMinorityVotesCostEveryTime() {
    for (int i = 0; i < 20; i++) {
      kit.runCommand(new BanRegistry.Penalize(3, ViolationType.SILENT_FAILURE, "s-" + i));
    }
    assertEquals(0.95, kit.getState().score(3), 1e-9, "20 silences within 60 s cost once");
    assertFalse(view.test(3));
    kit.runCommand(new BanRegistry.Penalize(4, ViolationType.SILENT_FAILURE, "s-x"));
    assertEquals(0.95, kit.getState().score(4), 1e-9, "each member has its own interval");
    kit.runCommand(new BanRegistry.Penalize(3, ViolationType.MINORITY_VOTE, "m-1"));
    kit.runCommand(new BanRegistry.Penalize(3, ViolationType.MINORITY_VOTE, "m-2"));
    assertEquals(0.75, kit.getState().score(3), 1e-9, "minority votes are not limited");
    clock.addAndGet(59_999);
    kit.runCommand(new BanRegistry.Penalize(3, ViolationType.SILENT_FAILURE, "s-late"));
    assertEquals(0.75, kit.getState().score(3), 1e-9, "still within the interval");
    clock.addAndGet(1);
    kit.runCommand(new BanRegistry.Penalize(3, ViolationType.SILENT_FAILURE, "s-next"));
    assertEquals(0.70, kit.getState().score(3), 1e-9, "the interval has passed");
  }

  @Test
  void aMemberSilentForLongIsStillBannedOneIntervalAtATime() {
    for (int minute = 0; minute < 11; minute++) {
      for (int tx = 0; tx < 5; tx++) {
        kit.runCommand(
            new BanRegistry.Penalize(2, ViolationType.SILENT_FAILURE, "m" + minute + "-" + tx));
      }
      clock.addAndGet(60_000);
    }
    assertTrue(kit.getState().bannedNode(2), "11 minutes of silence: 1.0 - 11 * 0.05 < 0.5");
    assertTrue(view.test(2));
  }

  @Test
  void withAZeroIntervalEverySilenceCosts() {
    var everyTime =
        EventSourcedBehaviorTestKit.<BanRegistry.Command, ReputationEvent, ReputationState>create(
            TESTKIT.system(),
            BanRegistry.create(
                1,
                TallySettings.defaults(Duration.ofSeconds(30))
                    .withSilentPenaltyInterval(Duration.ZERO),
                view,
                clock::get),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false));
    everyTime.clear();
    for (int i = 0; i < 11; i++) {
      everyTime.runCommand(new BanRegistry.Penalize(5, ViolationType.SILENT_FAILURE, "z-" + i));
    }
    assertTrue(everyTime.getState().bannedNode(5), "11 silences at once ban with interval 0");
  }

  @Test
  void unbanStartsTheSilenceIntervalAfresh() {
    kit.runCommand(new BanRegistry.Penalize(3, ViolationType.SILENT_FAILURE, "s-1"));
    kit.runCommand(new BanRegistry.Ban(3, ViolationType.INVALID_SIGNATURE, "tx", "forged"));
    kit.<BanRegistry.UnbanResult>runCommand(ref -> new BanRegistry.Unban(3, ref));
    kit.runCommand(new BanRegistry.Penalize(3, ViolationType.SILENT_FAILURE, "s-2"));
    assertEquals(0.95, kit.getState().score(3), 1e-9);
  }
}
