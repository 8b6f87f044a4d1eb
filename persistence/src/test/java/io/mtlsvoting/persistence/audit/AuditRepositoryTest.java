package io.mtlsvoting.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The repository's writes are atomic with the offset, idempotent and independent of row order; its
 * queries read them back.
 */
class AuditRepositoryTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
  static final long MAX_U64 = -1L;

  static AuditRow.VoteRow vote(int by, long ord, String tx, int node, long value, boolean counted) {
    return new AuditRow.VoteRow(
        by, ord, tx, node, value, T.plusMillis(node), new byte[] {1, 2, (byte) node}, counted);
  }

  static List<AuditRow> story(int by, String tx) {
    return List.of(
        new AuditRow.TxOpenedRow(by, 1, tx, T, T.plusSeconds(30)),
        vote(by, 2, tx, 1, MAX_U64, true),
        vote(by, 3, tx, 2, MAX_U64, true),
        vote(by, 4, tx, 3, 5, true),
        new AuditRow.TxStateRow(
            by, 5, tx, "THRESHOLD_REACHED", true, MAX_U64, "{\"votes\":[]}", null),
        new AuditRow.ViolationRow(
            by, 6, tx, 3, "MINORITY_VOTE", "{\"decidedValue\":18446744073709551615}"),
        new AuditRow.ScoreRow(by, 7, 3, 0.9),
        new AuditRow.BanRow(by, 8, 3, true, "too many"),
        new AuditRow.TxStateRow(by, 9, tx, "COMMITTED", true, MAX_U64, null, null));
  }

  @Test
  void appliesRowsAndOffsetAndReadsThemBack() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    repo.apply(story(1, "tx-read"), new ProjectionOffset("p-read", 9, 12, List.of(10L, 12L)));

    TransactionEntry t = repo.transaction(1, "tx-read").orElseThrow();
    assertEquals("COMMITTED", t.state());
    assertEquals(MAX_U64, t.value());
    assertEquals(3, t.voteCount());
    assertEquals(T, t.firstVoteAt());
    assertTrue(t.decidedAt() != null && t.committedAt() != null);
    assertTrue(t.certificateJson().contains("votes"));

    List<ViolationEntry> v = repo.violationsByTx("tx-read");
    assertEquals(1, v.size());
    assertEquals(3, v.get(0).nodeId());
    assertTrue(v.get(0).evidenceJson().contains("18446744073709551615"));

    assertEquals(List.of(0.9, 1L, 1L, true), reputation(1, 3));
    assertEquals(
        new ProjectionOffset("p-read", 9, 12, List.of(10L, 12L)), repo.loadOffset("p-read"));
    assertEquals(ProjectionOffset.start("unknown"), repo.loadOffset("unknown"));
    assertEquals(
        "18446744073709551615",
        postgres.queryString(
            "SELECT value::text FROM votes WHERE tx_id = 'tx-read' AND node_id = 1"));
  }

  @Test
  void reapplyingOrShufflingRowsChangesNothing() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    List<AuditRow> rows = story(2, "tx-idem");
    repo.apply(rows, new ProjectionOffset("p-idem", 9, 9, List.of()));
    String before = snapshot(2);

    repo.apply(rows, new ProjectionOffset("p-idem", 9, 9, List.of()));
    List<AuditRow> shuffled = new ArrayList<>(rows);
    Collections.reverse(shuffled);
    repo.apply(shuffled, new ProjectionOffset("p-idem", 9, 9, List.of()));
    assertEquals(before, snapshot(2));

    // Observer 3 gets the same rows in reverse order: the same result as in order.
    List<AuditRow> reversed = new ArrayList<>(story(3, "tx-idem"));
    Collections.reverse(reversed);
    repo.apply(reversed, new ProjectionOffset("p-idem3", 9, 9, List.of()));
    assertEquals(before, snapshot(3));
  }

  @Test
  void manyRowsForTheSameKeysInOneBatch() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    List<AuditRow> rows = new ArrayList<>();
    long ord = 100;
    for (int tx = 0; tx < 20; tx++) {
      rows.add(new AuditRow.TxOpenedRow(8, ord++, "tx-many", T, T.plusSeconds(30)));
      for (int node = 1; node <= 5; node++) {
        rows.add(vote(8, ord++, "tx-many-" + tx, node, tx, true));
        rows.add(
            new AuditRow.ViolationRow(8, ord++, "tx-many-" + tx, node, "SILENT_FAILURE", "{}"));
        rows.add(new AuditRow.ScoreRow(8, ord++, node, 1.0 - tx / 100.0));
        rows.add(new AuditRow.BanRow(8, ord++, node, tx % 2 == 0, "flip"));
      }
      rows.add(new AuditRow.TxStateRow(8, ord++, "tx-many", "ABORTED_SPLIT", false, 0, null, "x"));
    }
    repo.apply(rows, new ProjectionOffset("p-many", ord, ord, List.of()));
    assertEquals(List.of(0.81, 20L, 20L, false), reputation(8, 5));
    assertEquals(
        "21", postgres.queryString("SELECT count(*) FROM transactions WHERE observed_by = 8"));
  }

  @Test
  void laterEventWinsWhateverTheOrder() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    ProjectionOffset o = new ProjectionOffset("p-late", 0, 0, List.of());
    repo.apply(
        List.of(new AuditRow.BanRow(4, 20, 5, false, null), new AuditRow.ScoreRow(4, 20, 5, 1.0)),
        o);
    repo.apply(
        List.of(new AuditRow.BanRow(4, 10, 5, true, "old"), new AuditRow.ScoreRow(4, 10, 5, 0.2)),
        o);
    assertEquals(List.of(1.0, 0L, 0L, false), reputation(4, 5));
  }

  @Test
  void aFailingRowRollsBackTheBatchAndTheOffset() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    repo.apply(List.of(), new ProjectionOffset("p-fail", 3, 3, List.of()));
    List<AuditRow> bad =
        List.of(
            vote(5, 4, "tx-fail", 1, 7, true),
            new AuditRow.ViolationRow(5, 5, "tx-fail", 1, "DOUBLE_VOTING", "not json"));
    assertThrows(
        SQLException.class, () -> repo.apply(bad, new ProjectionOffset("p-fail", 5, 5, List.of())));
    assertEquals(3, repo.loadOffset("p-fail").watermark());
    assertEquals("0", postgres.queryString("SELECT count(*) FROM votes WHERE tx_id = 'tx-fail'"));
  }

  @Test
  void openTransactionsAreThoseStillCollecting() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    ProjectionOffset o = new ProjectionOffset("p-open", 0, 0, List.of());
    repo.apply(
        List.of(
            new AuditRow.TxOpenedRow(6, 1, "tx-open-b", T.plusSeconds(2), T.plusSeconds(32)),
            new AuditRow.TxOpenedRow(6, 2, "tx-open-a", T.plusSeconds(1), T.plusSeconds(31)),
            new AuditRow.TxOpenedRow(6, 3, "tx-done", T, T.plusSeconds(30)),
            new AuditRow.TxStateRow(6, 4, "tx-done", "ABORTED_TIMEOUT", false, 0, null, "deadline"),
            new AuditRow.TxOpenedRow(7, 5, "tx-other-node", T, T.plusSeconds(30))),
        o);
    assertEquals(List.of("tx-open-a", "tx-open-b"), repo.openTransactions(6));
    assertEquals("deadline", repo.transaction(6, "tx-done").orElseThrow().outcomeReason());
    assertFalse(repo.transaction(6, "tx-other-node").isPresent());
  }

  @Test
  void uncommittedDecisionsAreThoseDecidedButNotCommitted() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    ProjectionOffset o = new ProjectionOffset("p-decided", 0, 0, List.of());
    repo.apply(
        List.of(
            new AuditRow.TxOpenedRow(8, 1, "tx-decided", T, T.plusSeconds(30)),
            new AuditRow.TxStateRow(8, 2, "tx-decided", "THRESHOLD_REACHED", true, 7, null, null),
            new AuditRow.TxOpenedRow(8, 3, "tx-committed", T, T.plusSeconds(30)),
            new AuditRow.TxStateRow(8, 4, "tx-committed", "THRESHOLD_REACHED", true, 7, null, null),
            new AuditRow.TxStateRow(8, 5, "tx-committed", "COMMITTED", true, 7, null, null),
            new AuditRow.TxOpenedRow(8, 6, "tx-collecting", T, T.plusSeconds(30)),
            new AuditRow.TxOpenedRow(9, 7, "tx-other-node", T, T.plusSeconds(30)),
            new AuditRow.TxStateRow(
                9, 8, "tx-other-node", "THRESHOLD_REACHED", true, 7, null, null)),
        o);
    assertEquals(List.of("tx-decided"), repo.uncommittedDecisions(8));
    assertEquals(List.of("tx-other-node"), repo.uncommittedDecisions(9));
    assertEquals(List.of(), repo.uncommittedDecisions(10));
  }

  @Test
  void horizonMovesPastFinishedTransactions() throws SQLException {
    AuditRepository repo = AuditRepository.create(postgres.dataSource());
    TxHorizon first = repo.horizon();
    postgres.execute("CREATE TEMP TABLE burn (x int)"); // consumes a transaction id
    TxHorizon later = repo.horizon();
    assertTrue(later.passed(first), first + " then " + later);
  }

  private static List<Object> reputation(int by, int node) throws SQLException {
    try (Connection c = postgres.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT score, total_votes, violations, banned FROM reputation_scores"
                    + " WHERE observed_by = "
                    + by
                    + " AND node_id = "
                    + node)) {
      assertTrue(rs.next());
      return List.of(rs.getDouble(1), rs.getLong(2), rs.getLong(3), rs.getBoolean(4));
    }
  }

  /** The observer's audit rows as text, without ids and write times. */
  private static String snapshot(int by) throws SQLException {
    return postgres.queryString(
        "SELECT string_agg(r, ';' ORDER BY r) FROM ("
            + " SELECT concat_ws('|', 'v', tx_id, node_id, value, counted) AS r FROM votes WHERE observed_by = "
            + by
            + " UNION ALL SELECT concat_ws('|', 'x', tx_id, node_id, violation_type, evidence) FROM byzantine_violations WHERE observed_by = "
            + by
            + " UNION ALL SELECT concat_ws('|', 'r', node_id, score, total_votes, violations, banned, ban_reason, last_seen) FROM reputation_scores WHERE observed_by = "
            + by
            + " UNION ALL SELECT concat_ws('|', 't', tx_id, state, value, vote_count, quorum_certificate, first_vote_at, deadline_at) FROM transactions WHERE observed_by = "
            + by
            + ") s");
  }
}
