package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TallySettingsTest {

  @Test
  void theFlushDelayIsReadFromTheConfigWithItsDocumentedDefault() {
    TallySettings fromReference = TallySettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofMillis(100), fromReference.voteFlushDelay());
    assertEquals(
        fromReference.voteFlushDelay(),
        TallySettings.defaults(Duration.ofSeconds(1)).voteFlushDelay());
    TallySettings off =
        TallySettings.fromConfig(
            ConfigFactory.parseString("mtls-voting.tally.vote-flush-delay = 0ms")
                .withFallback(ConfigFactory.load()));
    assertEquals(Duration.ZERO, off.voteFlushDelay());
  }

  @Test
  void aNegativeFlushDelayIsRefusedNamingTheKey() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TallySettings.defaults(Duration.ofSeconds(1))
                    .withVoteFlushDelay(Duration.ofMillis(-1)));
    assertTrue(e.getMessage().contains("tally.vote-flush-delay"), e.getMessage());
  }

  @Test
  void theSilentPenaltyIntervalIsReadFromTheConfigAndMayBeZero() {
    TallySettings fromReference = TallySettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(60), fromReference.silentPenaltyInterval());
    assertEquals(
        fromReference.silentPenaltyInterval(),
        TallySettings.defaults(Duration.ofSeconds(1)).silentPenaltyInterval());
    TallySettings off =
        TallySettings.fromConfig(
            ConfigFactory.parseString("mtls-voting.tally.silent-penalty-interval = 0s")
                .withFallback(ConfigFactory.load()));
    assertEquals(Duration.ZERO, off.silentPenaltyInterval());
  }

  @Test
  void aNegativeSilentPenaltyIntervalIsRefusedNamingTheKey() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TallySettings.defaults(Duration.ofSeconds(1))
                    .withSilentPenaltyInterval(Duration.ofSeconds(-1)));
    assertTrue(e.getMessage().contains("tally.silent-penalty-interval"), e.getMessage());
  }

  @Test
  void theVoteRequestIntervalIsReadFromTheConfigMayBeZeroAndNotNegative() {
    TallySettings fromReference = TallySettings.fromConfig(ConfigFactory.load());
    assertEquals(Duration.ofSeconds(5), fromReference.voteRequestInterval());
    assertEquals(
        fromReference.voteRequestInterval(),
        TallySettings.defaults(Duration.ofSeconds(1)).voteRequestInterval());
    TallySettings off =
        TallySettings.fromConfig(
            ConfigFactory.parseString("mtls-voting.tally.vote-request-interval = 0s")
                .withFallback(ConfigFactory.load()));
    assertEquals(Duration.ZERO, off.voteRequestInterval());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> off.withVoteRequestInterval(Duration.ofMillis(-1)));
    assertTrue(e.getMessage().contains("tally.vote-request-interval"), e.getMessage());
  }
}
