package io.mtlsvoting.node.audit;

import static io.mtlsvoting.node.audit.AuditTestNode.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.Migrations;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose projection dies between reading and writing a batch, again and again in the middle
 * of a journal of many batches (five nodes' closed-loop txs, with dissents and score changes), ends
 * with exactly the audit rows of a node that projected the same journal in one go.
 */
class AuditCrashRestartTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final int SELF = 2;
  static final int TXS = 120;
  static final long START = 1_800_000_000_000L;

  private static final String CONFIG =
      """
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      mtls-voting.persistence.jdbc-dispatcher.thread-pool-executor.fixed-pool-size = 4
      mtls-voting.audit.poll-interval = 20ms
      mtls-voting.audit.batch-size = 80
      """;

  @Test
  void crashesBetweenReadAndWriteLoseAndDuplicateNothing() throws Exception {
    String once = postgres.createDatabase();
    Migrations.apply(postgres.dataSource(once));
    long end = 0;
    for (String db : List.of(once, "")) {
      ActorTestKit kit = ActorTestKit.create("journal", config(db));
      try {
        DataSource ds = dataSource(db);
        new ClosedLoopJournal(
                ds, SerializationExtension.get(kit.system().classicSystem()), 5, 16, 7, 11, START)
            .journal("crash", TXS);
        end = scalar(ds, "SELECT max(ordering) FROM event_journal");
      } finally {
        kit.shutdownTestKit();
      }
    }

    project(once, end, ProjectionFaults.NONE);
    // Dies at the 2nd, 1st, 4th and 3rd batch with rows of a run: 6 of some 40 batches written
    // before the last run, which goes through.
    for (int crashAt : List.of(2, 1, 4, 3)) {
      AtomicInteger batches = new AtomicInteger();
      ActorTestKit kit = ActorTestKit.create("crashing", config(""));
      try (DataSourceRegistry.Lease lease = DataSourceRegistry.acquire(settings(""))) {
        kit.spawn(
            AuditWriter.create(
                SELF,
                AuditSettings.fromConfig(config("")),
                lease.dataSource(),
                (rows, offset) -> {
                  if (!rows.isEmpty() && batches.incrementAndGet() == crashAt) {
                    kit.system().terminate();
                    throw new IllegalStateException("crash before the audit write");
                  }
                }),
            "audit");
        kit.system().getWhenTerminated().toCompletableFuture().join();
      } finally {
        kit.shutdownTestKit();
      }
    }
    long written = scalar(postgres.dataSource(), "SELECT last_ordering FROM projection_offset");
    assertTrue(written > 0 && written < end, "crashed mid-way at " + written + " of " + end);
    // Rewound (as if a written batch had not been recorded), the rows written again change
    // nothing: they are applied again in batches cut elsewhere.
    postgres.execute(
        "UPDATE projection_offset SET last_ordering = "
            + written / 3
            + ", head_ordering = "
            + written / 3);
    project("", end, ProjectionFaults.NONE);

    String expected = auditOf(postgres.dataSource(once));
    assertEquals(expected, auditOf(postgres.dataSource()));
    // And it is the journal's story: five counted votes per tx, a dissent every 7th.
    assertEquals(
        5L * TXS,
        scalar(
            postgres.dataSource(),
            "SELECT sum(vote_count) FROM transactions WHERE observed_by = " + SELF));
    assertEquals(
        (long) TXS,
        scalar(
            postgres.dataSource(),
            "SELECT count(*) FROM transactions WHERE observed_by = "
                + SELF
                + " AND state = 'COMMITTED'"));
    assertEquals(
        (TXS + 6L) / 7,
        scalar(
            postgres.dataSource(),
            "SELECT violations FROM reputation_scores WHERE observed_by = "
                + SELF
                + " AND node_id = 5"));
  }

  /** Runs node SELF's audit writer on {@code db} until it has projected up to {@code end}. */
  private static void project(String db, long end, ProjectionFaults faults) {
    ActorTestKit kit = ActorTestKit.create("projecting", config(db));
    try (DataSourceRegistry.Lease lease = DataSourceRegistry.acquire(settings(db))) {
      ActorRef<AuditWriter.Command> writer =
          kit.spawn(
              AuditWriter.create(
                  SELF, AuditSettings.fromConfig(config(db)), lease.dataSource(), faults),
              "audit");
      TestProbe<AuditWriter.Status> probe = kit.createTestProbe();
      await(
          "projection of " + (db.isEmpty() ? "the test database" : db),
          () -> {
            writer.tell(new AuditWriter.GetStatus(probe.getRef()));
            return probe.receiveMessage(Duration.ofSeconds(15)).watermark() >= end;
          });
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** The config on database {@code db} ("" = the test class's). */
  private static Config config(String db) {
    Config dbConfig =
        db.isEmpty()
            ? postgres.dbConfig()
            : ConfigFactory.parseString(
                "mtls-voting.persistence.db.url = \"" + postgres.jdbcUrl(db) + "\"");
    return ConfigFactory.load(ConfigFactory.parseString(CONFIG).withFallback(dbConfig));
  }

  private static DbSettings settings(String db) {
    return DbSettings.fromConfig(config(db));
  }

  private static DataSource dataSource(String db) {
    return db.isEmpty() ? postgres.dataSource() : postgres.dataSource(db);
  }

  /** Every column of SELF's audit rows but ids and write times, as text. */
  private static String auditOf(DataSource ds) throws SQLException {
    String by = " WHERE observed_by = " + SELF;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT string_agg(r, E'\\n' ORDER BY r) FROM ("
                    + " SELECT ROW('v', tx_id, node_id, value, issued_at, encode(signature, 'hex'),"
                    + " counted, journal_ordering, journaled_at)::text AS r FROM votes"
                    + by
                    + " UNION ALL SELECT ROW('x', tx_id, node_id, violation_type, evidence,"
                    + " journal_ordering, detected_at)::text FROM byzantine_violations"
                    + by
                    + " UNION ALL SELECT ROW('r', node_id, score, total_votes, violations, banned,"
                    + " ban_reason, last_seen, score_ordering, ban_ordering)::text"
                    + " FROM reputation_scores"
                    + by
                    + " UNION ALL SELECT ROW('t', tx_id, state, value, vote_count,"
                    + " quorum_certificate, first_vote_at, deadline_at, decided_at, committed_at,"
                    + " outcome_reason, safety_alarm, state_ordering)::text FROM transactions"
                    + by
                    + ") s")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static long scalar(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
