package io.mtlsvoting.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Batches written with superseded changes merged and upserts sent as multi-row INSERTs (the
 * driver's reWriteBatchedInserts on, as in production) leave exactly the tables that the rows leave
 * applied one statement per row in row order, with the SQL from before batching kept here as the
 * reference.
 */
class AuditBatchWriteTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
  static final String[] STATES = {
    "THRESHOLD_REACHED", "COMMITTED", "ABORTED_BYZANTINE", "ABORTED_SPLIT", "ABORTED_TIMEOUT"
  };
  static final long[] VALUES = {1, -1L, Long.MIN_VALUE, Long.MAX_VALUE};
  static final String[] VIOLATIONS = {
    "DOUBLE_VOTING", "MINORITY_VOTE", "INVALID_SIGNATURE", "SILENT_FAILURE"
  };

  /** Like production: the driver rewrites JDBC batches of INSERTs into multi-row INSERTs. */
  static DataSource rewriting() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(postgres.jdbcUrl());
    ds.setReWriteBatchedInserts(true);
    return ds;
  }

  @Test
  void severalChangesOfOneTxAndOneNodeInOneBatchLeaveTheFinalRows() throws SQLException {
    journal(List.of(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L, 111L, 112L));
    AuditRepository repo = AuditRepository.create(rewriting());
    List<AuditRow> rows = new ArrayList<>();
    rows.add(new AuditRow.TxOpenedRow(1, 101, "tx-final", T, T.plusSeconds(30)));
    for (int node = 1; node <= 4; node++) {
      rows.add(vote(1, 101 + node, "tx-final", node, 7, true));
    }
    rows.add(new AuditRow.TxStateRow(1, 106, "tx-final", "THRESHOLD_REACHED", true, 7, "{}", null));
    rows.add(new AuditRow.ScoreRow(1, 107, 4, 0.9));
    rows.add(new AuditRow.ScoreRow(1, 108, 4, 0.8));
    rows.add(new AuditRow.BanRow(1, 109, 4, true, "low score"));
    rows.add(new AuditRow.ScoreRow(1, 110, 4, 0.7));
    rows.add(new AuditRow.TxStateRow(1, 111, "tx-final", "COMMITTED", true, 7, null, null));
    rows.add(new AuditRow.SafetyAlarmRow(1, 112, "tx-final", "decided 7 but etcd holds 8"));
    repo.apply(rows, new ProjectionOffset("p-final", 112, 112, List.of()));

    assertEquals(
        "COMMITTED|7|4|{}|"
            + ts(T)
            + "|"
            + ts(journaledAt(106))
            + "|"
            + ts(journaledAt(111))
            + "|decided 7 but etcd holds 8|111",
        postgres.queryString(
            "SELECT concat_ws('|', state, value, vote_count, quorum_certificate, first_vote_at,"
                + " decided_at, committed_at, safety_alarm, state_ordering) FROM transactions"
                + " WHERE observed_by = 1 AND tx_id = 'tx-final'"));
    assertEquals(
        "0.7|1|t|low score|110|109",
        postgres.queryString(
            "SELECT concat_ws('|', score, total_votes, banned, ban_reason, score_ordering,"
                + " ban_ordering) FROM reputation_scores WHERE observed_by = 1 AND node_id = 4"));
  }

  @Test
  void theSameTxAndNodeOfTwoObserversStaySeparate() throws SQLException {
    journal(List.of(201L, 202L, 203L, 204L, 205L, 206L, 207L, 208L));
    AuditRepository repo = AuditRepository.create(rewriting());
    repo.apply(
        List.of(
            new AuditRow.TxOpenedRow(3, 201, "tx-shared", T, T.plusSeconds(30)),
            new AuditRow.TxOpenedRow(4, 202, "tx-shared", T.plusSeconds(1), T.plusSeconds(31)),
            vote(3, 203, "tx-shared", 3, 5, true),
            vote(4, 204, "tx-shared", 3, 5, true),
            vote(4, 205, "tx-shared", 4, 6, true),
            new AuditRow.TxStateRow(4, 206, "tx-shared", "ABORTED_SPLIT", false, 0, null, "split"),
            new AuditRow.ScoreRow(3, 207, 3, 0.9),
            new AuditRow.ScoreRow(4, 208, 3, 0.8)),
        new ProjectionOffset("p-shared", 208, 208, List.of()));
    assertEquals(
        "3|COLLECTING|1\n4|ABORTED_SPLIT|2|split",
        postgres.queryString(
            "SELECT string_agg(concat_ws('|', observed_by, state, vote_count, outcome_reason),"
                + " E'\\n' ORDER BY observed_by) FROM transactions WHERE tx_id = 'tx-shared'"));
    assertEquals(
        "3|0.9|1\n4|0.8|1",
        postgres.queryString(
            "SELECT string_agg(concat_ws('|', observed_by, score, total_votes), E'\\n'"
                + " ORDER BY observed_by) FROM reputation_scores WHERE node_id = 3"
                + " AND observed_by IN (3, 4)"));
  }

  /**
   * What the batching of the rarer upserts relies on: the driver sends a JDBC batch of the score
   * upsert as one multi-row INSERT (no per-row counts), which PostgreSQL refuses when one key comes
   * twice.
   */
  @Test
  void upsertBatchesGoAsMultiRowInsertsThatNeedDistinctKeys() throws SQLException {
    try (Connection c = rewriting().getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(AuditSql.SCORE)) {
        // Four rows: the driver rewrites batches in chunks of powers of two.
        for (int node = 1; node <= 4; node++) {
          bindScore(ps, node);
        }
        int[] counts = ps.executeBatch();
        assertEquals(List.of(Statement.SUCCESS_NO_INFO), distinct(counts));
        c.commit();
        bindScore(ps, 5);
        bindScore(ps, 5);
        SQLException e = assertThrows(SQLException.class, ps::executeBatch);
        assertTrue(
            String.valueOf(e.getNextException()).contains("cannot affect row a second time")
                || String.valueOf(e.getMessage()).contains("cannot affect row a second time"),
            e.toString());
        c.rollback();
      }
    }
    assertEquals(
        "4", postgres.queryString("SELECT count(*) FROM reputation_scores WHERE observed_by = 6"));
  }

  private static void bindScore(PreparedStatement ps, int node) throws SQLException {
    ps.setInt(1, 6);
    ps.setInt(2, node);
    ps.setDouble(3, 0.5);
    ps.setLong(4, 1);
    ps.addBatch();
  }

  private static List<Integer> distinct(int[] counts) {
    return Arrays.stream(counts).distinct().boxed().toList();
  }

  /**
   * Random rows of every kind for a few txs and nodes of two observers, orderings partly out of row
   * order and some shared, written in random batches and again: the same tables as one statement
   * per row.
   */
  @Test
  void randomBatchesLeaveWhatOneStatementPerRowLeaves() throws SQLException {
    AuditRepository repo = AuditRepository.create(rewriting());
    for (int round = 0; round < 20; round++) {
      Random random = new Random(round);
      long base = 10_000L + round * 1_000L;
      List<AuditRow> rows = randomRows(random, base, 300);
      journal(rows.stream().map(AuditRow::ordering).distinct().toList());
      int batched = 10 + round * 4;
      int reference = 12 + round * 4;

      List<AuditRow> mine = observedBy(rows, batched);
      for (int i = 0; i < mine.size(); ) {
        int n = 1 + random.nextInt(120);
        repo.apply(
            mine.subList(i, Math.min(mine.size(), i + n)),
            new ProjectionOffset("p-random", 0, 0, List.of()));
        i += n;
      }
      applyRowByRow(observedBy(rows, reference));
      assertEquals(snapshot(reference), snapshot(batched), "round " + round);

      // Re-applied in one batch, nothing changes (a crash after the write re-reads the batch).
      repo.apply(mine, new ProjectionOffset("p-random", 0, 0, List.of()));
      assertEquals(snapshot(reference), snapshot(batched), "round " + round + " re-applied");
    }
  }

  /** Rows of observers 0 and 1 (offset later) over 3 txs, 3 nodes and 2 vote values. */
  static List<AuditRow> randomRows(Random random, long base, int count) {
    List<Long> orderings = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // Mostly ascending, some swapped with a neighbour, some shared by two rows.
      orderings.add(random.nextInt(20) == 0 && i > 0 ? orderings.get(i - 1) : base + i);
    }
    for (int i = 1; i < count; i++) {
      if (random.nextInt(5) == 0) {
        Collections.swap(orderings, i, Math.max(0, i - 1 - random.nextInt(4)));
      }
    }
    List<AuditRow> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long ord = orderings.get(i);
      int by = random.nextInt(2);
      String tx = "tx-" + random.nextInt(3);
      int node = 1 + random.nextInt(3);
      // Unsigned values at the edges of the signed ranges; instants to the microsecond.
      long value = VALUES[random.nextInt(VALUES.length)];
      int kind = random.nextInt(12);
      if (kind == 0) {
        rows.add(
            new AuditRow.TxOpenedRow(
                by,
                ord,
                tx,
                T.plusNanos(random.nextInt(1_000_000) * 1000L),
                T.plusSeconds(random.nextInt(60))));
      } else if (kind <= 3) {
        rows.add(
            new AuditRow.VoteRow(
                by,
                ord,
                tx,
                node,
                value,
                T.plusNanos(random.nextInt(1_000_000) * 1000L),
                new byte[] {(byte) random.nextInt()},
                kind != 3));
      } else if (kind <= 5) {
        rows.add(
            new AuditRow.TxStateRow(
                by,
                ord,
                tx,
                STATES[random.nextInt(STATES.length)],
                random.nextBoolean(),
                VALUES[random.nextInt(VALUES.length)],
                random.nextBoolean() ? null : "{\"qc\": " + random.nextInt(9) + "}",
                random.nextBoolean() ? null : "reason " + random.nextInt(9)));
      } else if (kind == 6) {
        rows.add(new AuditRow.SafetyAlarmRow(by, ord, tx, "alarm " + random.nextInt(9)));
      } else if (kind <= 8) {
        rows.add(new AuditRow.ScoreRow(by, ord, node, random.nextInt(1000) / 1000.0));
      } else if (kind <= 10) {
        rows.add(
            new AuditRow.BanRow(
                by, ord, node, random.nextBoolean(), random.nextBoolean() ? null : "ban " + ord));
      } else {
        rows.add(
            new AuditRow.ViolationRow(
                by,
                ord,
                tx,
                node,
                VIOLATIONS[random.nextInt(VIOLATIONS.length)],
                "{\"n\": " + random.nextInt(9) + "}"));
      }
    }
    return rows;
  }

  /** {@code rows} with observer {@code o} made {@code offset + o}. */
  static List<AuditRow> observedBy(List<AuditRow> rows, int offset) {
    List<AuditRow> out = new ArrayList<>();
    for (AuditRow r : rows) {
      int by = offset + r.observedBy();
      if (r instanceof AuditRow.VoteRow v) {
        out.add(
            new AuditRow.VoteRow(
                by,
                v.ordering(),
                v.txId(),
                v.nodeId(),
                v.value(),
                v.issuedAt(),
                v.signature(),
                v.counted()));
      } else if (r instanceof AuditRow.ViolationRow x) {
        out.add(
            new AuditRow.ViolationRow(
                by, x.ordering(), x.txId(), x.nodeId(), x.violationType(), x.evidenceJson()));
      } else if (r instanceof AuditRow.ScoreRow s) {
        out.add(new AuditRow.ScoreRow(by, s.ordering(), s.nodeId(), s.score()));
      } else if (r instanceof AuditRow.BanRow b) {
        out.add(new AuditRow.BanRow(by, b.ordering(), b.nodeId(), b.banned(), b.reason()));
      } else if (r instanceof AuditRow.TxOpenedRow o) {
        out.add(new AuditRow.TxOpenedRow(by, o.ordering(), o.txId(), o.openedAt(), o.deadline()));
      } else if (r instanceof AuditRow.TxStateRow t) {
        out.add(
            new AuditRow.TxStateRow(
                by,
                t.ordering(),
                t.txId(),
                t.state(),
                t.hasValue(),
                t.value(),
                t.certificateJson(),
                t.reason()));
      } else if (r instanceof AuditRow.SafetyAlarmRow a) {
        out.add(new AuditRow.SafetyAlarmRow(by, a.ordering(), a.txId(), a.alarm()));
      }
    }
    return out;
  }

  static AuditRow.VoteRow vote(int by, long ord, String tx, int node, long value, boolean counted) {
    return new AuditRow.VoteRow(
        by, ord, tx, node, value, T.plusMillis(node), new byte[] {(byte) node}, counted);
  }

  /** Journal rows at {@code orderings} (the audit rows' journal times), once each. */
  static void journal(List<Long> orderings) throws SQLException {
    try (Connection c = postgres.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO event_journal (persistence_id, sequence_nr, ordering, writer,"
                    + " write_timestamp, serializer_id, manifest, payload)"
                    + " VALUES (?, 1, ?, 'test', ?, 1, '', '\\x00') ON CONFLICT DO NOTHING")) {
      for (long o : new TreeSet<>(orderings)) {
        ps.setString(1, "test|" + o);
        ps.setLong(2, o);
        ps.setLong(3, journaledAt(o).toEpochMilli());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  static Instant journaledAt(long ordering) {
    return T.plusSeconds(ordering);
  }

  /** The rows one statement per row, in row order, with the SQL from before batching. */
  static void applyRowByRow(List<AuditRow> rows) throws SQLException {
    try (Connection c = postgres.dataSource().getConnection()) {
      RowByRowReference.apply(c, rows, AuditBatchWriteTest::journaledAt);
    }
  }

  /** Every column of the observer's audit rows but ids and write times, as text. */
  static String snapshot(int by) {
    String where = " WHERE observed_by = " + by;
    return postgres.queryString(
        "SELECT string_agg(r, E'\\n' ORDER BY r) FROM ("
            + " SELECT ROW('v', tx_id, node_id, value, issued_at, encode(signature, 'hex'), counted,"
            + " journal_ordering, journaled_at)::text AS r FROM votes"
            + where
            + " UNION ALL SELECT ROW('x', tx_id, node_id, violation_type, evidence,"
            + " journal_ordering, detected_at)::text FROM byzantine_violations"
            + where
            + " UNION ALL SELECT ROW('r', node_id, score, total_votes, violations, banned,"
            + " ban_reason, last_seen, score_ordering, ban_ordering)::text FROM reputation_scores"
            + where
            + " UNION ALL SELECT ROW('t', tx_id, state, value, vote_count, quorum_certificate,"
            + " first_vote_at, deadline_at, decided_at, committed_at, outcome_reason,"
            + " safety_alarm, state_ordering)::text FROM transactions"
            + where
            + ") s");
  }

  static String ts(Instant at) {
    return postgres.queryString("SELECT '" + at + "'::timestamptz::text");
  }
}
