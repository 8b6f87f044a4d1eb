package io.mtlsvoting.persistence.journal;

import static io.mtlsvoting.persistence.journal.JournalHarness.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.JournalProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The journal answers recovery reads of ids without events from its filter of known ids, against a
 * real PostgreSQL: without asking the database, and never for an id that has events, whether they
 * were written before the journal started or by it since.
 */
class KnownIdsJournalTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  // Only guards against a hang: the filter answers at once, the database within milliseconds.
  private static final long GUARD_SECONDS = 30;

  @Test
  void aNewIdIsAnsweredWithoutTheDatabaseWhileIdsWithEventsAreReadFromIt() throws Exception {
    try (JournalHarness before = new JournalHarness(JournalTestConfig.of(postgres))) {
      before.writeOk(events("node-1|tx-before", 1, 3));
    }
    try (JournalHarness journal = new JournalHarness(JournalTestConfig.of(postgres))) {
      JournalHarness.awaitKnownIds(journal.journal);
      journal.writeOk(events("node-1|tx-since", 1, 2));

      // With the journal table locked every query on it waits; only the filter can answer.
      try (Connection lock = postgres.dataSource().getConnection();
          Statement s = lock.createStatement()) {
        lock.setAutoCommit(false);
        s.execute("LOCK TABLE event_journal IN ACCESS EXCLUSIVE MODE");
        CompletableFuture<Long> before = journal.highest("node-1|tx-before");
        CompletableFuture<Long> since = journal.highest("node-1|tx-since");

        assertEquals(0L, journal.highest("node-1|tx-new").get(GUARD_SECONDS, TimeUnit.SECONDS));
        assertFalse(before.isDone(), "an id with events was answered without the database");
        assertFalse(since.isDone(), "an id written since was answered without the database");
        lock.rollback();

        assertEquals(3L, before.get(GUARD_SECONDS, TimeUnit.SECONDS));
        assertEquals(2L, since.get(GUARD_SECONDS, TimeUnit.SECONDS));
      }
      assertEquals(List.of(1L, 2L, 3L), journal.replayAll("node-1|tx-before").sequenceNrs());
      KnownIds.Stats stats = JournalHarness.knownIds(journal.journal).orElseThrow();
      assertTrue(stats.answered() >= 1, stats.toString());
    }
  }

  @Test
  void aNewIdsFirstEventsGetSequenceNumbersFromOne() throws Exception {
    try (JournalHarness journal = new JournalHarness(JournalTestConfig.of(postgres))) {
      JournalHarness.awaitKnownIds(journal.journal);
      assertEquals(0L, journal.highest("node-2|tx-fresh").get(GUARD_SECONDS, TimeUnit.SECONDS));
      journal.writeOk(events("node-2|tx-fresh", 1, 4));

      assertEquals(4L, journal.highest("node-2|tx-fresh").get(GUARD_SECONDS, TimeUnit.SECONDS));
      assertEquals(4L, journal.replayAll("node-2|tx-fresh").highestSequenceNr());
    }
  }

  @Test
  void anIdAnotherWriterAddedAfterTheScanFailsTheFirstWriteInsteadOfOverwriting() throws Exception {
    try (JournalHarness journal = new JournalHarness(JournalTestConfig.of(postgres));
        JournalHarness intruder = new JournalHarness(JournalTestConfig.of(postgres))) {
      JournalHarness.awaitKnownIds(journal.journal);
      intruder.writeOk(events("node-4|tx-twice", 1, 2));

      // Not supported (a node's ids have one writer), but safe: told "no events", the first
      // write collides with the intruder's rows and fails; then the id is read from the table.
      assertEquals(0L, journal.highest("node-4|tx-twice").get(GUARD_SECONDS, TimeUnit.SECONDS));
      List<Object> replies = journal.write(events("node-4|tx-twice", 1, 1));
      assertTrue(
          replies.stream().anyMatch(r -> r instanceof JournalProtocol.WriteMessageFailure),
          replies.toString());

      assertEquals(2L, journal.highest("node-4|tx-twice").get(GUARD_SECONDS, TimeUnit.SECONDS));
      assertEquals(List.of(1L, 2L), journal.replayAll("node-4|tx-twice").sequenceNrs());
    }
  }

  @Test
  void withAPrefixOnlyThoseIdsAreLoadedFromTheTable() throws Exception {
    try (JournalHarness others = new JournalHarness(JournalTestConfig.of(postgres))) {
      for (int i = 0; i < 50; i++) {
        others.writeOk(events("node-6|tx-" + i, 1, 1));
      }
      // Wildcards in the prefix are taken literally: node-7_ is not node-7x.
      others.writeOk(events("node-7x|tx-0", 1, 1));
      others.writeOk(events("node-7_|tx-0", 1, 2));
    }
    try (JournalHarness journal =
        new JournalHarness(
            JournalTestConfig.of(
                postgres,
                ConfigFactory.parseString(
                    "mtls-voting.persistence.journal.known-ids.id-prefix = \"node-7_|\"")))) {
      KnownIds.Stats stats = JournalHarness.awaitKnownIds(journal.journal);

      assertEquals(1, stats.approximateIds(), stats.toString());
      assertEquals(2L, journal.highest("node-7_|tx-0").get(GUARD_SECONDS, TimeUnit.SECONDS));
      assertEquals(1L, journal.highest("node-6|tx-3").get(GUARD_SECONDS, TimeUnit.SECONDS));
      assertEquals(0L, journal.highest("node-7_|tx-new").get(GUARD_SECONDS, TimeUnit.SECONDS));
    }
  }

  @Test
  void switchedOffEveryReadGoesToTheDatabase() throws Exception {
    try (JournalHarness journal =
        new JournalHarness(
            JournalTestConfig.of(
                postgres,
                ConfigFactory.parseString(
                    "mtls-voting.persistence.journal.known-ids.enabled = off")))) {
      assertEquals(Optional.empty(), JournalHarness.knownIds(journal.journal));
      try (Connection lock = postgres.dataSource().getConnection();
          Statement s = lock.createStatement()) {
        lock.setAutoCommit(false);
        s.execute("LOCK TABLE event_journal IN ACCESS EXCLUSIVE MODE");
        CompletableFuture<Long> fresh = journal.highest("node-3|tx-new");
        assertFalse(fresh.isDone(), "answered without the database although switched off");
        lock.rollback();
        assertEquals(0L, fresh.get(GUARD_SECONDS, TimeUnit.SECONDS));
      }
    }
  }
}
