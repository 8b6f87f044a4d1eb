package io.mtlsvoting.persistence.journal;

import static io.mtlsvoting.persistence.journal.JournalHarness.atomic;
import static io.mtlsvoting.persistence.journal.JournalHarness.events;
import static io.mtlsvoting.persistence.journal.JournalHarness.repr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Highest-sequence-number reads of many concurrently recovering persistence ids, coalesced into few
 * queries, against a real PostgreSQL: every id gets its own answer whatever batch it shares.
 */
class HighestSequenceNrReadsTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  // Small batches so the reads below span many queries; the breaker must not open while the
  // failure test fails reads on purpose. Every read goes to the database: the filter that answers
  // new ids without it is KnownIdsJournalTest's.
  private static final Config OVERRIDES =
      ConfigFactory.parseString(
          """
          mtls-voting.persistence.journal.read-batch-max-ids = 16
          mtls-voting.persistence.journal.known-ids.enabled = off
          mtls-voting.persistence.journal.circuit-breaker.max-failures = 100000
          """);
  private static final int PER_KIND = 40;

  private static JournalHarness harness;

  @BeforeAll
  static void start() {
    harness = new JournalHarness(JournalTestConfig.of(postgres, OVERRIDES));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  @Test
  void concurrentReadsOverAMixOfIdsEachGetTheirOwnHighest() {
    Map<String, Long> expected = prepareMix("mix", TestEvent::new);
    // Every id is asked three times; all asks are out before any answer is read.
    List<String> asks = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      asks.addAll(expected.keySet());
    }
    Collections.shuffle(asks, new Random(42));

    List<CompletableFuture<Long>> answers = asks.parallelStream().map(harness::highest).toList();

    for (int i = 0; i < asks.size(); i++) {
      assertEquals(expected.get(asks.get(i)), answers.get(i).join(), asks.get(i));
    }
  }

  @Test
  void oneIdAloneAndManyIdsTogetherGetTheSameAnswers() throws SQLException {
    Map<String, Long> expected = prepareMix("dao", TestEvent::new);
    JournalDao dao = new JournalDao(postgres.dataSource());

    // The same query answers a batch of one id and a batch of all of them.
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      assertEquals(Map.of(e.getKey(), e.getValue()), dao.highestSequenceNrs(List.of(e.getKey())));
    }
    assertEquals(expected, dao.highestSequenceNrs(List.copyOf(expected.keySet())));
  }

  @Test
  void recoveredActorsContinueAfterTheirHighestSequenceNr() throws SQLException {
    Map<String, Long> expected = prepareMix("actor", TestCounter.Added::new);
    ActorTestKit kit = ActorTestKit.create("recoveries", JournalTestConfig.of(postgres, OVERRIDES));
    try {
      TestProbe<Done> done = kit.createTestProbe();
      // All actors start (and recover) together, then each persists one more event.
      List<ActorRef<TestCounter.Command>> counters =
          expected.keySet().stream().map(pid -> kit.spawn(TestCounter.create(pid))).toList();
      counters.forEach(c -> c.tell(new TestCounter.Add("next", done.getRef())));
      for (int i = 0; i < counters.size(); i++) {
        done.expectMessage(Done.done());
      }
    } finally {
      kit.shutdownTestKit();
    }

    Map<String, Long> newest = newestSequenceNrs("actor|");
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      assertEquals(e.getValue() + 1, newest.get(e.getKey()), e.getKey());
    }
  }

  @Test
  void readsFailWhileTheDatabaseFailsThemAndNeverAnswerZero() {
    String pid = "fail|tx-1";
    harness.writeOk(events(pid, 1, 2));
    List<String> asks = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> asks.add(i % 2 == 0 ? pid : "fail|new-" + i));

    List<CompletableFuture<Long>> answers;
    postgres.execute("ALTER TABLE event_journal_highest RENAME TO event_journal_highest_away");
    try {
      answers = asks.parallelStream().map(harness::highest).toList();
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .join();
    } finally {
      postgres.execute("ALTER TABLE event_journal_highest_away RENAME TO event_journal_highest");
    }

    for (CompletableFuture<Long> answer : answers) {
      CompletionException e = assertThrows(CompletionException.class, answer::join);
      assertInstanceOf(SQLException.class, e.getCause());
    }
    assertEquals(2L, harness.highest(pid).join());
    assertEquals(0L, harness.highest("fail|new-1").join());
  }

  /**
   * Writes five kinds of ids under {@code prefix} and returns each id's highest sequence number:
   * new ids (0), ids with events, ids whose events were all deleted, ids with their older events
   * deleted, and ids whose deleted rows were purged so that only {@code event_journal_highest}
   * remembers their highest.
   */
  private static Map<String, Long> prepareMix(String prefix, Function<String, Object> event) {
    Map<String, Long> expected = new LinkedHashMap<>();
    List<AtomicWrite> writes = new ArrayList<>();
    for (int i = 0; i < PER_KIND; i++) {
      expected.put(prefix + "|new-" + i, 0L);
      expected.put(prefix + "|events-" + i, 1L + i % 4);
      expected.put(prefix + "|deleted-" + i, 3L);
      expected.put(prefix + "|older-deleted-" + i, 5L);
      expected.put(prefix + "|purged-" + i, 4L);
    }
    expected.forEach(
        (pid, highest) -> {
          for (long seq = 1; seq <= highest; seq++) {
            writes.add(atomic(repr(pid, seq, event.apply(pid + "-" + seq))));
          }
        });
    harness.writeOk(writes);
    for (int i = 0; i < PER_KIND; i++) {
      harness.deleteTo(prefix + "|deleted-" + i, Long.MAX_VALUE);
      harness.deleteTo(prefix + "|older-deleted-" + i, 2);
      harness.deleteTo(prefix + "|purged-" + i, 4);
    }
    postgres.execute(
        "DELETE FROM event_journal WHERE persistence_id LIKE '" + prefix + "|purged-%'");
    return expected;
  }

  private static Map<String, Long> newestSequenceNrs(String prefix) throws SQLException {
    Map<String, Long> newest = new LinkedHashMap<>();
    try (var c = postgres.dataSource().getConnection();
        var ps =
            c.prepareStatement(
                "SELECT persistence_id, max(sequence_nr) FROM event_journal"
                    + " WHERE persistence_id LIKE ? GROUP BY persistence_id")) {
      ps.setString(1, prefix + "%");
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          newest.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return newest;
  }
}
