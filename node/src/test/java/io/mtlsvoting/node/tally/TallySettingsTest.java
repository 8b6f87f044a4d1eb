package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class TallySettingsTest {

  /**
   * {@code key} (under mtls-voting.tally) reads as {@code documented} from the reference config,
   * equal to {@link TallySettings#defaults}'s, and as zero when set to 0; returns the zero one.
   */
  private static TallySettings assertDefaultAndZero(
      String key, Duration documented, Function<TallySettings, Duration> setting) {
    TallySettings fromReference = TallySettings.fromConfig(ConfigFactory.load());
    assertEquals(documented, setting.apply(fromReference));
    assertEquals(
        setting.apply(fromReference), setting.apply(TallySettings.defaults(Duration.ofSeconds(1))));
    TallySettings off =
        TallySettings.fromConfig(
            ConfigFactory.parseString("mtls-voting.tally." + key + " = 0s")
                .withFallback(ConfigFactory.load()));
    assertEquals(Duration.ZERO, setting.apply(off));
    return off;
  }

  @Test
  void theFlushDelayIsReadFromTheConfigWithItsDocumentedDefault() {
    assertDefaultAndZero("vote-flush-delay", Duration.ofMillis(100), TallySettings::voteFlushDelay);
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
    assertDefaultAndZero(
        "silent-penalty-interval", Duration.ofSeconds(60), TallySettings::silentPenaltyInterval);
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
    TallySettings off =
        assertDefaultAndZero(
            "vote-request-interval", Duration.ofSeconds(5), TallySettings::voteRequestInterval);
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> off.withVoteRequestInterval(Duration.ofMillis(-1)));
    assertTrue(e.getMessage().contains("tally.vote-request-interval"), e.getMessage());
  }
}
