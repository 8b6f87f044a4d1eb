package io.mtlsvoting.persistence.audit;

/**
 * The SQL of the audit repository. Counters (total_votes, vote_count, violations) grow only when
 * the vote or violation row is new, and score, ban and state change only for a later journal
 * ordering than the one that set them, so every statement is idempotent and order-independent. The
 * upserts that may update (score, ban, transaction) get one row per key from {@link CoalescedBatch}
 * and go as JDBC batches, which the driver sends as multi-row INSERTs.
 */
final class AuditSql {

  private AuditSql() {}

  // Arrays carry values the driver encodes cheaply (in binary): an unsigned 64-bit value as the
  // bigint of the same bits, an instant as microseconds since the epoch (PostgreSQL's precision).
  // These turn them back, exactly.
  private static String unsigned(String bigint) {
    return "CASE WHEN %1$s < 0 THEN %1$s + 18446744073709551616 ELSE %1$s END".formatted(bigint);
  }

  private static String instant(String micros) {
    return "timestamptz 'epoch' + %s * interval '1 microsecond'".formatted(micros);
  }

  /**
   * All counted votes of a batch in one statement (unnest of one array per column, one vote per
   * key): a vote adds to its voter's total_votes and its tx's vote_count only when it is new or was
   * evidence only. Returns the newly counted votes per (observed_by, tx_id) for {@link #TX_CHANGE},
   * which writes vote_count with the rest of the row.
   */
  static final String COUNTED_VOTES =
      """
      WITH v AS (
        INSERT INTO votes (observed_by, tx_id, node_id, value, issued_at, signature, counted,
                           journal_ordering, journaled_at)
        SELECT observed_by, tx_id, node_id, %s, %s, signature, TRUE, journal_ordering, %s
        FROM unnest(?::int[], ?::text[], ?::int[], ?::bigint[], ?::bigint[], ?::bytea[],
                    ?::bigint[], ?::bigint[])
          AS i (observed_by, tx_id, node_id, value, issued_us, signature, journal_ordering,
                journaled_us)
        ON CONFLICT (observed_by, tx_id, node_id, value)
          DO UPDATE SET counted = TRUE WHERE NOT votes.counted
        RETURNING observed_by, tx_id, node_id, issued_at
      ), r AS (
        INSERT INTO reputation_scores AS r (observed_by, node_id, total_votes, last_seen)
        SELECT observed_by, node_id, count(*), max(issued_at) FROM v GROUP BY observed_by, node_id
        ON CONFLICT (observed_by, node_id) DO UPDATE
          SET total_votes = r.total_votes + EXCLUDED.total_votes,
              last_seen = GREATEST(r.last_seen, EXCLUDED.last_seen)
      )
      SELECT observed_by, tx_id, count(*) FROM v GROUP BY observed_by, tx_id
      """
          .formatted(unsigned("value"), instant("issued_us"), instant("journaled_us"));

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

  /**
   * A batch's changes of transactions rows (see {@link CoalescedBatch.TxChange}), one array per
   * column and one element per row: the state of the later ordering, value, certificate, reason,
   * alarm and the opening times replaced when given, decision and commit time kept once set,
   * vote_count increased by the newly counted votes. A row created by votes or an alarm alone is
   * COLLECTING with state_ordering 0.
   */
  static final String TX_CHANGE =
      """
      INSERT INTO transactions AS t (observed_by, tx_id, state, state_ordering, vote_count, value,
                                     quorum_certificate, outcome_reason, decided_at, committed_at,
                                     first_vote_at, deadline_at, safety_alarm)
      SELECT observed_by, tx_id, state, state_ordering, vote_count, %s, quorum_certificate,
             outcome_reason, %s, %s, %s, %s, safety_alarm
      FROM unnest(?::int[], ?::text[], ?::text[], ?::bigint[], ?::int[], ?::bigint[], ?::jsonb[],
                  ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[])
        AS c (observed_by, tx_id, state, state_ordering, vote_count, value, quorum_certificate,
              outcome_reason, decided_us, committed_us, first_vote_us, deadline_us, safety_alarm)
      ON CONFLICT (observed_by, tx_id) DO UPDATE SET
        state = CASE WHEN t.state_ordering < EXCLUDED.state_ordering
                     THEN EXCLUDED.state ELSE t.state END,
        state_ordering = GREATEST(t.state_ordering, EXCLUDED.state_ordering),
        vote_count = t.vote_count + EXCLUDED.vote_count,
        value = COALESCE(EXCLUDED.value, t.value),
        quorum_certificate = COALESCE(EXCLUDED.quorum_certificate, t.quorum_certificate),
        outcome_reason = COALESCE(EXCLUDED.outcome_reason, t.outcome_reason),
        decided_at = COALESCE(t.decided_at, EXCLUDED.decided_at),
        committed_at = COALESCE(t.committed_at, EXCLUDED.committed_at),
        first_vote_at = COALESCE(EXCLUDED.first_vote_at, t.first_vote_at),
        deadline_at = COALESCE(EXCLUDED.deadline_at, t.deadline_at),
        safety_alarm = COALESCE(EXCLUDED.safety_alarm, t.safety_alarm)
      """
          .formatted(
              unsigned("value"),
              instant("decided_us"),
              instant("committed_us"),
              instant("first_vote_us"),
              instant("deadline_us"));

  static final String JOURNAL_TIMES =
      "SELECT ordering, write_timestamp FROM event_journal WHERE ordering = ANY (?)";

  static final String LOAD_OFFSET =
      "SELECT last_ordering, head_ordering, pending_gaps FROM projection_offset"
          + " WHERE projection_name = ?";

  static final String STORE_OFFSET =
      """
      INSERT INTO projection_offset (projection_name, last_ordering, head_ordering, pending_gaps)
      VALUES (?, ?, ?, ?)
      ON CONFLICT (projection_name) DO UPDATE SET
        last_ordering = EXCLUDED.last_ordering, head_ordering = EXCLUDED.head_ordering,
        pending_gaps = EXCLUDED.pending_gaps, updated_at = clock_timestamp()
      """;

  static final String HORIZON =
      "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint"
          + " FROM pg_current_snapshot() AS s";

  static final String VIOLATIONS_BY_TX =
      "SELECT id, observed_by, tx_id, node_id, violation_type, evidence::text, detected_at"
          + " FROM byzantine_violations WHERE tx_id = ? ORDER BY detected_at, id";

  private static final String TX_COLUMNS =
      "SELECT observed_by, tx_id, state, value, vote_count, quorum_certificate::text,"
          + " first_vote_at, deadline_at, decided_at, committed_at, outcome_reason, safety_alarm"
          + " FROM transactions";

  static final String TRANSACTIONS_BY_TX = TX_COLUMNS + " WHERE tx_id = ? ORDER BY observed_by";

  static final String TRANSACTION = TX_COLUMNS + " WHERE tx_id = ? AND observed_by = ?";

  static final String OPEN_TRANSACTIONS =
      "SELECT tx_id FROM transactions WHERE observed_by = ? AND state = 'COLLECTING'"
          + " ORDER BY first_vote_at NULLS LAST, tx_id";

  // Once per start: reads this observer's rows in the primary key (no index for a state every tx
  // passes through).
  static final String UNCOMMITTED_DECISIONS =
      "SELECT tx_id FROM transactions WHERE observed_by = ? AND state = 'THRESHOLD_REACHED'"
          + " ORDER BY decided_at NULLS LAST, tx_id";
}
