package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reputation penalties, bans, unban and ban persistence across restarts. */
class BanRegistryTest {
  static final ActorTestKit TESTKIT = ActorTestKit.create("BanRegistryTest", VoteTallyTest.CONFIG);
  final BanView view = new BanView();
  EventSourcedBehaviorTestKit<BanRegistry.Command, ReputationEvent, ReputationState> kit;

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            TESTKIT.system(),
            BanRegistry.create(1, TallySettings.defaults(Duration.ofSeconds(30)), view),
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
}
