package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recovery rate of new persistence ids (no events), not a correctness test. Each recovery asks the
 * journal for the highest sequence number; this compares one query per id (batching off: {@code
 * read-batch-max-ids = 1} and no limit on queries at once, each read its own task as before read
 * batching; within about 10% of the former code path when both ran in one JVM) with coalesced
 * reads, and with the journal's filter of known ids answering them without a query (the default).
 * First at the journal protocol (20,000 recoveries started at once, as {@code ReplayMessages} from
 * a persistent actor), then end to end with 5,000 typed persistent actors started at once (Pekko
 * lets 50 recover at a time), once with a snapshot load per actor and once without (as the node's
 * vote tallies recover), in three alternating rounds whose medians are printed last. Run with
 * {@code mvn -pl persistence -am verify -Dtest=RecoveryThroughputBenchmark
 * -Dsurefire.excludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class RecoveryThroughputBenchmark {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final int JOURNAL_RECOVERIES = 20_000;
  private static final int ACTOR_RECOVERIES = 5_000;
  private static final int ROUNDS = 3;
  // As before read batching: every read is its own task on the JDBC dispatcher (8 threads in the
  // test config), all of them queued at once.
  // The batching variants read every id from the database (known-ids off); the last one answers
  // new ids from the journal's filter, measured once the filter is loaded.
  private static final String ONE_QUERY_PER_ID =
      "read-batch-max-ids = 1\nread-max-in-flight = 1000000\nknown-ids.enabled = off";
  private static final String BATCHED_ONE_IN_FLIGHT =
      "read-batch-max-ids = 500\nread-max-in-flight = 1\nknown-ids.enabled = off";
  private static final String BATCHED_DEFAULT =
      "read-batch-max-ids = 500\nread-max-in-flight = 2\nknown-ids.enabled = off";
  private static final String KNOWN_IDS = "known-ids.enabled = on";

  /** One setting under test and the rates it reached. */
  private record Variant(String label, String settings, List<Double> rates) {
    Variant(String label, String settings) {
      this(label, settings, new ArrayList<>());
    }

    double median() {
      List<Double> sorted = rates.stream().sorted().toList();
      return sorted.get(sorted.size() / 2);
    }
  }

  @Test
  void recoversNewPersistenceIds() throws Exception {
    seedJournal();
    journalRun("warm-up", BATCHED_DEFAULT, "warm");
    actorRun("warm-up", BATCHED_DEFAULT, "awarm", true);
    List<Variant> journal =
        List.of(
            new Variant("one query per id", ONE_QUERY_PER_ID),
            new Variant("batched, 1 query at once", BATCHED_ONE_IN_FLIGHT),
            new Variant("batched, 2 queries at once", BATCHED_DEFAULT),
            new Variant("known ids (default)", KNOWN_IDS));
    List<Variant> actors =
        List.of(
            new Variant("one query per id", ONE_QUERY_PER_ID),
            new Variant("batched", BATCHED_DEFAULT),
            new Variant("known ids (default)", KNOWN_IDS));
    List<Variant> tallies =
        List.of(
            new Variant("one query per id", ONE_QUERY_PER_ID),
            new Variant("batched", BATCHED_DEFAULT),
            new Variant("known ids (default)", KNOWN_IDS));
    // The machine is shared and a run after the actor runs tends to be slow: each round starts
    // with another variant, and the medians are reported.
    int run = 0;
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < journal.size(); i++) {
        Variant v = journal.get((round + i) % journal.size());
        v.rates().add(journalRun(v.label(), v.settings(), "j" + run++));
      }
      for (int i = 0; i < actors.size(); i++) {
        Variant v = actors.get((round + i) % actors.size());
        v.rates().add(actorRun(v.label(), v.settings(), "a" + run++, true));
      }
      for (int i = 0; i < tallies.size(); i++) {
        Variant v = tallies.get((round + i) % tallies.size());
        v.rates().add(actorRun(v.label(), v.settings(), "t" + run++, false));
      }
    }

    System.out.printf(
        "RecoveryThroughputBenchmark, medians of %d rounds: %d journal recoveries of new ids:"
            + " %.0f/s one query per id, %.0f/s batched with 1 query at once, %.0f/s batched with"
            + " 2, %.0f/s known ids (default); %d typed actors with a snapshot load: %.0f/s one"
            + " query per id, %.0f/s batched, %.0f/s known ids; without: %.0f/s one query per id,"
            + " %.0f/s batched, %.0f/s known ids%n",
        ROUNDS,
        JOURNAL_RECOVERIES,
        journal.get(0).median(),
        journal.get(1).median(),
        journal.get(2).median(),
        journal.get(3).median(),
        ACTOR_RECOVERIES,
        actors.get(0).median(),
        actors.get(1).median(),
        actors.get(2).median(),
        tallies.get(0).median(),
        tallies.get(1).median(),
        tallies.get(2).median());
  }

  // A journal that is not empty: 50,000 ids with 4 events each, so lookups walk a real index.
  private static void seedJournal() {
    postgres.execute(
        "INSERT INTO event_journal (persistence_id, sequence_nr, writer, write_timestamp,"
            + " serializer_id, manifest, payload)"
            + " SELECT 'seed|tx-' || (g / 4), g % 4 + 1, 'w', 0, 1, 'm', '\\x00'::bytea"
            + " FROM generate_series(0, 199999) g");
    postgres.execute("ANALYZE");
  }

  // 20,000 reads queued at once wait longer than the breaker's 10 s call timeout in the slow runs.
  private static Config config(String journalSettings) {
    return JournalTestConfig.of(
        postgres,
        ConfigFactory.parseString(journalSettings + "\ncircuit-breaker.call-timeout = 10m")
            .atPath(JournalHarness.JOURNAL));
  }

  private static double journalRun(String label, String journalSettings, String prefix)
      throws Exception {
    try (JournalHarness harness = new JournalHarness(config(journalSettings))) {
      awaitKnownIdsIfOn(harness.journal);
      CompletableFuture<Long> finished = new CompletableFuture<>();
      long start = System.nanoTime();
      harness.system.actorOf(Props.create(Driver.class, harness.journal, prefix, finished));
      long recovered = finished.get(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals(JOURNAL_RECOVERIES, recovered);
      double rate = recovered / seconds;
      System.out.printf(
          "  journal, %s: %d recoveries in %.2f s = %.0f recoveries/s%n",
          label, recovered, seconds, rate);
      return rate;
    }
  }

  private static void awaitKnownIdsIfOn(ActorRef journal) throws InterruptedException {
    if (JournalHarness.knownIds(journal).isPresent()) {
      JournalHarness.awaitKnownIds(journal);
    }
  }

  private static double actorRun(
      String label, String journalSettings, String prefix, boolean snapshots)
      throws InterruptedException {
    ActorTestKit kit = ActorTestKit.create("recoveries-" + prefix, config(journalSettings));
    try {
      awaitKnownIdsIfOn(
          Persistence.get(kit.system().classicSystem())
              .journalFor(JournalHarness.JOURNAL, ConfigFactory.empty()));
      TestProbe<TestCounter.State> states = kit.createTestProbe();
      long start = System.nanoTime();
      for (int i = 0; i < ACTOR_RECOVERIES; i++) {
        String pid = prefix + "|tx-" + i;
        kit.spawn(snapshots ? TestCounter.create(pid) : TestCounter.createWithoutSnapshots(pid))
            .tell(new TestCounter.Get(states.getRef()));
      }
      for (int i = 0; i < ACTOR_RECOVERIES; i++) {
        // A guard against a hang, not a timing assertion.
        assertEquals(0, states.receiveMessage(Duration.ofMinutes(1)).values().size());
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = ACTOR_RECOVERIES / seconds;
      System.out.printf(
          "  typed actors, %s, %s: %d recoveries in %.2f s = %.0f recoveries/s%n",
          snapshots ? "snapshot load" : "no snapshot store",
          label,
          ACTOR_RECOVERIES,
          seconds,
          rate);
      return rate;
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Starts every recovery at once, as that many new persistent actors would, and counts them. */
  static final class Driver extends AbstractActor {
    private final ActorRef journal;
    private final String prefix;
    private final CompletableFuture<Long> finished;
    private long recovered;

    Driver(ActorRef journal, String prefix, CompletableFuture<Long> finished) {
      this.journal = journal;
      this.prefix = prefix;
      this.finished = finished;
    }

    @Override
    public void preStart() {
      for (int i = 0; i < JOURNAL_RECOVERIES; i++) {
        journal.tell(
            new JournalProtocol.ReplayMessages(
                1, Long.MAX_VALUE, Long.MAX_VALUE, prefix + "|tx-" + i, self()),
            self());
      }
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              JournalProtocol.RecoverySuccess.class,
              ok -> {
                if (ok.highestSequenceNr() != 0) {
                  finished.completeExceptionally(new AssertionError("not a new id: " + ok));
                } else if (++recovered == JOURNAL_RECOVERIES) {
                  finished.complete(recovered);
                }
              })
          .matchAny(
              other ->
                  finished.completeExceptionally(new AssertionError("recovery failed: " + other)))
          .build();
    }
  }
}
