package io.mtlsvoting.persistence.audit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The audit trail's writes as they were before batching, one statement per row, kept as the
 * reference that batched writes must match (see {@link AuditBatchWriteTest}).
 */
final class RowByRowReference {

  private RowByRowReference() {}

  /** Applies {@code rows} on {@code c} one statement per row, in row order. */
  static void apply(Connection c, List<AuditRow> rows, LongFunction<Instant> journaledAt)
      throws SQLException {
    for (AuditRow row : rows) {
      Timestamp at = Timestamp.from(journaledAt.apply(row.ordering()));
      if (row instanceof AuditRow.VoteRow v) {
        run(
            c,
            v.counted() ? Sql.COUNTED_VOTE : Sql.EVIDENCE_VOTE,
            v.observedBy(),
            v.txId(),
            v.nodeId(),
            unsigned(v.value()),
            Timestamp.from(v.issuedAt()),
            v.signature(),
            v.ordering(),
            at);
      } else if (row instanceof AuditRow.ViolationRow x) {
        run(
            c,
            Sql.VIOLATION,
            x.observedBy(),
            x.txId(),
            x.nodeId(),
            x.violationType(),
            x.evidenceJson(),
            x.ordering(),
            at);
      } else if (row instanceof AuditRow.ScoreRow s) {
        run(c, Sql.SCORE, s.observedBy(), s.nodeId(), s.score(), s.ordering());
      } else if (row instanceof AuditRow.BanRow b) {
        run(c, Sql.BAN, b.observedBy(), b.nodeId(), b.banned(), b.reason(), b.ordering());
      } else if (row instanceof AuditRow.TxOpenedRow o) {
        run(
            c,
            Sql.TX_OPENED,
            o.observedBy(),
            o.txId(),
            Timestamp.from(o.openedAt()),
            Timestamp.from(o.deadline()),
            o.ordering());
      } else if (row instanceof AuditRow.TxStateRow t) {
        boolean committed = t.state().equals("COMMITTED");
        run(
            c,
            Sql.TX_STATE,
            t.observedBy(),
            t.txId(),
            t.state(),
            t.hasValue() ? unsigned(t.value()) : null,
            t.certificateJson(),
            t.reason(),
            committed ? null : at,
            committed ? at : null,
            t.ordering());
      } else if (row instanceof AuditRow.SafetyAlarmRow a) {
        run(c, Sql.SAFETY_ALARM, a.observedBy(), a.txId(), a.alarm());
      }
    }
  }

  private static void run(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        if (p == null) {
          // Untyped: the statement's casts and columns decide.
          ps.setNull(i + 1, Types.OTHER);
        } else {
          ps.setObject(i + 1, p);
        }
      }
      ps.execute();
    }
  }

  /** The SQL of the audit rows before batching: one statement per row. */
  private static final class Sql {
    static final String COUNTED_VOTE =
        """
        WITH v AS (
          INSERT INTO votes (observed_by, tx_id, node_id, value, issued_at, signature, counted,
                             journal_ordering, journaled_at)
          VALUES (?, ?, ?, ?, ?, ?, TRUE, ?, ?)
          ON CONFLICT (observed_by, tx_id, node_id, value)
            DO UPDATE SET counted = TRUE WHERE NOT votes.counted
          RETURNING observed_by, tx_id, node_id, issued_at
        ), r AS (
          INSERT INTO reputation_scores AS r (observed_by, node_id, total_votes, last_seen)
          SELECT observed_by, node_id, 1, issued_at FROM v
          ON CONFLICT (observed_by, node_id) DO UPDATE
            SET total_votes = r.total_votes + 1, last_seen = GREATEST(r.last_seen, EXCLUDED.last_seen)
        )
        INSERT INTO transactions AS t (observed_by, tx_id, state, vote_count)
        SELECT observed_by, tx_id, 'COLLECTING', 1 FROM v
        ON CONFLICT (observed_by, tx_id) DO UPDATE SET vote_count = t.vote_count + 1
        """;

    static final String EVIDENCE_VOTE =
        """
        INSERT INTO votes (observed_by, tx_id, node_id, value, issued_at, signature, counted,
                           journal_ordering, journaled_at)
        VALUES (?, ?, ?, ?, ?, ?, FALSE, ?, ?)
        ON CONFLICT (observed_by, tx_id, node_id, value) DO NOTHING
        """;

    static final String VIOLATION =
        """
        WITH x AS (
          INSERT INTO byzantine_violations (observed_by, tx_id, node_id, violation_type, evidence,
                                            journal_ordering, detected_at)
          VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)
          ON CONFLICT (observed_by, tx_id, node_id, violation_type) DO NOTHING
          RETURNING observed_by, node_id
        )
        INSERT INTO reputation_scores AS r (observed_by, node_id, violations)
        SELECT observed_by, node_id, 1 FROM x
        ON CONFLICT (observed_by, node_id) DO UPDATE SET violations = r.violations + 1
        """;

    static final String SCORE =
        """
        INSERT INTO reputation_scores AS r (observed_by, node_id, score, score_ordering)
        VALUES (?, ?, ?, ?)
        ON CONFLICT (observed_by, node_id) DO UPDATE
          SET score = EXCLUDED.score, score_ordering = EXCLUDED.score_ordering
          WHERE r.score_ordering < EXCLUDED.score_ordering
        """;

    static final String BAN =
        """
        INSERT INTO reputation_scores AS r (observed_by, node_id, banned, ban_reason, ban_ordering)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (observed_by, node_id) DO UPDATE
          SET banned = EXCLUDED.banned, ban_reason = EXCLUDED.ban_reason,
              ban_ordering = EXCLUDED.ban_ordering
          WHERE r.ban_ordering < EXCLUDED.ban_ordering
        """;

    private static final String LATER_STATE =
        """
          state = CASE WHEN t.state_ordering < EXCLUDED.state_ordering
                       THEN EXCLUDED.state ELSE t.state END,
          state_ordering = GREATEST(t.state_ordering, EXCLUDED.state_ordering)
        """;

    static final String TX_OPENED =
        """
        INSERT INTO transactions AS t (observed_by, tx_id, state, first_vote_at, deadline_at,
                                       state_ordering)
        VALUES (?, ?, 'COLLECTING', ?, ?, ?)
        ON CONFLICT (observed_by, tx_id) DO UPDATE SET
          first_vote_at = EXCLUDED.first_vote_at, deadline_at = EXCLUDED.deadline_at,
        """
            + LATER_STATE;

    static final String TX_STATE =
        """
        INSERT INTO transactions AS t (observed_by, tx_id, state, value, quorum_certificate,
                                       outcome_reason, decided_at, committed_at, state_ordering)
        VALUES (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)
        ON CONFLICT (observed_by, tx_id) DO UPDATE SET
          value = COALESCE(EXCLUDED.value, t.value),
          quorum_certificate = COALESCE(EXCLUDED.quorum_certificate, t.quorum_certificate),
          outcome_reason = COALESCE(EXCLUDED.outcome_reason, t.outcome_reason),
          decided_at = COALESCE(t.decided_at, EXCLUDED.decided_at),
          committed_at = COALESCE(t.committed_at, EXCLUDED.committed_at),
        """
            + LATER_STATE;

    static final String SAFETY_ALARM =
        """
        INSERT INTO transactions AS t (observed_by, tx_id, state, safety_alarm)
        VALUES (?, ?, 'COLLECTING', ?)
        ON CONFLICT (observed_by, tx_id) DO UPDATE SET safety_alarm = EXCLUDED.safety_alarm
        """;
  }

  private static BigDecimal unsigned(long value) {
    return new BigDecimal(Long.toUnsignedString(value));
  }
}
