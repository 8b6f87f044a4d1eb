package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.japi.Util;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Throughput of the journal, not a correctness test: 500 persistence ids each persist 100 events
 * one at a time (like {@code persist} in a persistent actor), so up to 500 writes are in flight and
 * group commit decides the rate. Run with {@code mvn -pl persistence -am verify
 * -Dtest=JournalThroughputBenchmark -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false}; prints events/s with batching and without.
 */
@Tag("benchmark")
class JournalThroughputBenchmark {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static final int IDS = 500;
  private static final int EVENTS_PER_ID = 100;

  @Test
  void writesFiftyThousandEventsFromFiveHundredIds() throws Exception {
    run("warm-up", 200, "warm", EVENTS_PER_ID);
    double batched = run("batch-max-rows=200", 200, "b200", EVENTS_PER_ID);
    // Without group commit the same load would take minutes; 10 events per id show the rate.
    double single = run("batch-max-rows=1", 1, "b1", 10);
    System.out.printf(
        "JournalThroughputBenchmark: %d ids: %.0f events/s batched, %.0f events/s"
            + " with one row per transaction%n",
        IDS, batched, single);
  }

  private static double run(String label, int batchMaxRows, String prefix, int eventsPerId)
      throws Exception {
    Config overrides =
        ConfigFactory.parseString(
            "mtls-voting.persistence.journal.batch-max-rows = " + batchMaxRows);
    try (JournalHarness harness = new JournalHarness(JournalTestConfig.of(postgres, overrides))) {
      CompletableFuture<Long> finished = new CompletableFuture<>();
      long start = System.nanoTime();
      harness.system.actorOf(
          Props.create(Driver.class, harness.journal, prefix, eventsPerId, finished));
      long written = finished.get(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      assertEquals((long) IDS * eventsPerId, written);
      double rate = written / seconds;
      System.out.printf(
          "  %s: %d events in %.2f s = %.0f events/s in %d transactions%n",
          label, written, seconds, rate, transactions(prefix));
      return rate;
    }
  }

  // Rows committed together share their inserting transaction id (xmin).
  private static long transactions(String prefix) throws java.sql.SQLException {
    try (var c = postgres.dataSource().getConnection();
        var ps =
            c.prepareStatement(
                "SELECT count(DISTINCT xmin::text) FROM event_journal WHERE persistence_id LIKE ?")) {
      ps.setString(1, prefix + "|%");
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Keeps one write in flight per persistence id until every id has written its events. */
  static final class Driver extends AbstractActor {
    private final ActorRef journal;
    private final String prefix;
    private final int eventsPerId;
    private final CompletableFuture<Long> finished;
    private long successes;

    Driver(ActorRef journal, String prefix, int eventsPerId, CompletableFuture<Long> finished) {
      this.journal = journal;
      this.prefix = prefix;
      this.eventsPerId = eventsPerId;
      this.finished = finished;
    }

    @Override
    public void preStart() {
      for (int i = 0; i < IDS; i++) {
        write(prefix + "|tx-" + i, 1);
      }
    }

    private void write(String pid, long seq) {
      List<PersistentEnvelope> one = new ArrayList<>(JournalHarness.events(pid, seq, seq));
      journal.tell(new JournalProtocol.WriteMessages(Util.immutableSeq(one), self(), 1), self());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              JournalProtocol.WriteMessageSuccess.class,
              ok -> {
                successes++;
                long seq = ok.persistent().sequenceNr();
                if (seq < eventsPerId) {
                  write(ok.persistent().persistenceId(), seq + 1);
                }
                if (successes == (long) IDS * eventsPerId) {
                  finished.complete(successes);
                }
              })
          .match(JournalProtocol.WriteMessagesSuccessful$.class, ok -> {})
          .matchAny(
              other -> finished.completeExceptionally(new AssertionError("write failed: " + other)))
          .build();
    }
  }
}
