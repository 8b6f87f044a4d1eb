package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/** Reading and validating the journal's batching settings, without a database. */
class JournalSettingsTest {

  private static Config journalBlock(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference().getConfig(JournalHarness.JOURNAL));
  }

  @Test
  void defaultsComeFromReferenceConf() {
    JournalSettings settings = JournalSettings.fromConfig(journalBlock(""));

    assertEquals(
        new JournalSettings(
            "mtls-voting.persistence.db",
            200,
            500,
            2,
            new JournalSettings.KnownIdsSettings(true, 1_000_000, 0.01, 30_000, "")),
        settings);
  }

  @Test
  void readsOverrides() {
    JournalSettings settings =
        JournalSettings.fromConfig(journalBlock("read-batch-max-ids = 1\nread-max-in-flight = 4"));

    assertEquals(1, settings.readBatchMaxIds());
    assertEquals(4, settings.readMaxInFlight());
  }

  @Test
  void refusesValuesBelowOneNamingTheKey() {
    assertRefused(
        "read-batch-max-ids = 0",
        "mtls-voting.persistence.journal.read-batch-max-ids must be >= 1, was 0");
    assertRefused(
        "read-max-in-flight = -3",
        "mtls-voting.persistence.journal.read-max-in-flight must be >= 1, was -3");
    assertRefused(
        "batch-max-rows = 0", "mtls-voting.persistence.journal.batch-max-rows must be >= 1, was 0");
  }

  @Test
  void refusesKnownIdsSettingsOutOfRangeNamingTheKey() {
    assertRefused(
        "known-ids.capacity = 0",
        "mtls-voting.persistence.journal.known-ids.capacity must be >= 1, was 0");
    assertRefused(
        "known-ids.false-positive-rate = 1.0",
        "mtls-voting.persistence.journal.known-ids.false-positive-rate must be > 0 and < 1,"
            + " was 1.0");
    assertRefused(
        "known-ids.false-positive-rate = 0",
        "mtls-voting.persistence.journal.known-ids.false-positive-rate must be > 0 and < 1,"
            + " was 0.0");
    assertRefused(
        "known-ids.retry-after = 0s",
        "mtls-voting.persistence.journal.known-ids.retry-after must be positive, was 0 ms");
  }

  @Test
  void knownIdsCanBeSwitchedOff() {
    assertEquals(
        false,
        JournalSettings.fromConfig(journalBlock("known-ids.enabled = off")).knownIds().enabled());
  }

  @Test
  void refusesANonNumberNamingTheKey() {
    Exception e =
        assertThrows(
            ConfigException.WrongType.class,
            () -> JournalSettings.fromConfig(journalBlock("read-batch-max-ids = many")));
    assertTrue(e.getMessage().contains("read-batch-max-ids"), e.getMessage());
  }

  private static void assertRefused(String override, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JournalSettings.fromConfig(journalBlock(override)));
    assertEquals(message, e.getMessage());
  }
}
