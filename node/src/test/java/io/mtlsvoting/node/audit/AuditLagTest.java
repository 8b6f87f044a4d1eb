package io.mtlsvoting.node.audit;

import static io.mtlsvoting.node.audit.AuditQueries.count;
import static io.mtlsvoting.node.audit.AuditQueries.query;
import static io.mtlsvoting.node.audit.AuditTestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.Vote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Projection lag under load: 20,000 vote events journaled by 200 concurrent tallies while the audit
 * writer runs. Prints (does not assert) the time from journal write to audit row.
 */
class AuditLagTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final int SELF = 1;
  static final int TXS = 200;
  static final int EVENTS_PER_TX = 100;
  static final int CHUNK = 10;

  @Test
  void printsProjectionLagUnderLoad() {
    try (AuditTestNode node = new AuditTestNode(postgres, SELF)) {
      ActorRef<AuditWriter.Command> writer = node.startAuditWriter(ProjectionFaults.NONE);
      List<ActorRef<EventPersister.Command>> persisters = new ArrayList<>();
      for (int tx = 0; tx < TXS; tx++) {
        persisters.add(node.kit.spawn(EventPersister.create("node-" + SELF + "|tx-lag-" + tx)));
      }
      TestProbe<Done> done = node.kit.createTestProbe();
      long start = System.nanoTime();
      for (int chunk = 0; chunk < EVENTS_PER_TX / CHUNK; chunk++) {
        for (int tx = 0; tx < TXS; tx++) {
          List<TallyEvent> events = new ArrayList<>();
          for (int k = chunk * CHUNK; k < (chunk + 1) * CHUNK; k++) {
            Vote v = new Vote("lag-" + tx, k % 5 + 1, k, 1_800_000_000_000L + k, new byte[64]);
            events.add(new TallyEvent.VoteCounted(v.txId(), v));
          }
          persisters.get(tx).tell(new EventPersister.Persist(events, done.getRef()));
        }
      }
      done.receiveSeveralMessages(TXS * EVENTS_PER_TX / CHUNK, Duration.ofSeconds(90));
      long journaledMs = (System.nanoTime() - start) / 1_000_000;
      int total = TXS * EVENTS_PER_TX;
      await(
          "all votes projected",
          () -> count(postgres, "SELECT count(*) FROM votes WHERE observed_by = " + SELF) == total);
      long projectedMs = (System.nanoTime() - start) / 1_000_000;

      var lag =
          query(
                  postgres,
                  "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)) AS p50,"
                      + " round(percentile_cont(0.95) WITHIN GROUP (ORDER BY ms)) AS p95,"
                      + " round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)) AS p99, max(ms) AS max"
                      + " FROM (SELECT extract(epoch FROM recorded_at - journaled_at) * 1000 AS ms"
                      + " FROM votes WHERE observed_by = "
                      + SELF
                      + ") l")
              .get(0);
      System.out.printf(
          "Audit projection under load: %d events journaled in %d ms (%.0f/s), all projected after"
              + " %d ms; lag journal write -> audit row ms %s; writer %s%n",
          total, journaledMs, total * 1000.0 / journaledMs, projectedMs, lag, node.status(writer));
      assertEquals(
          (long) TXS * EVENTS_PER_TX,
          count(postgres, "SELECT sum(vote_count) FROM transactions WHERE observed_by = " + SELF));
    }
  }
}
