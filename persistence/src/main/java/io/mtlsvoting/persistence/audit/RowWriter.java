package io.mtlsvoting.persistence.audit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one {@link CoalescedBatch} on a connection inside a transaction, a few statements per
 * batch: the counted votes in one set-based statement, every other kind as one JDBC batch (the
 * driver's reWriteBatchedInserts turns the plain upserts into multi-row INSERTs, safe because the
 * batch holds each key once), the transactions rows last with their vote counts.
 */
final class RowWriter {

  private final Connection connection;
  private final Map<Long, Instant> journaled;

  RowWriter(Connection connection, Map<Long, Instant> journaled) {
    this.connection = connection;
    this.journaled = journaled;
  }

  void write(CoalescedBatch batch) throws SQLException {
    // Evidence first: the batch keeps only evidence that comes before the same vote is counted.
    evidenceVotes(batch.evidenceVotes());
    Map<CoalescedBatch.TxKey, Integer> counted = countedVotes(batch.countedVotes());
    violations(batch.violations());
    scores(batch.scores());
    bans(batch.bans());
    transactions(batch.transactions(), counted);
  }

  /** Inserts the counted votes; the newly counted ones per transactions row. */
  private Map<CoalescedBatch.TxKey, Integer> countedVotes(List<AuditRow.VoteRow> votes)
      throws SQLException {
    Map<CoalescedBatch.TxKey, Integer> counted = new HashMap<>();
    if (votes.isEmpty()) {
      return counted;
    }
    int n = votes.size();
    Integer[] observedBy = new Integer[n];
    String[] txId = new String[n];
    Integer[] nodeId = new Integer[n];
    BigDecimal[] value = new BigDecimal[n];
    String[] issuedAt = new String[n];
    byte[][] signature = new byte[n][];
    Long[] ordering = new Long[n];
    String[] journaledAt = new String[n];
    for (int i = 0; i < n; i++) {
      AuditRow.VoteRow v = votes.get(i);
      observedBy[i] = v.observedBy();
      txId[i] = v.txId();
      nodeId[i] = v.nodeId();
      value[i] = unsigned(v.value());
      // ISO-8601 with zone: the same instant whatever the session's time zone.
      issuedAt[i] = v.issuedAt().toString();
      signature[i] = v.signature();
      ordering[i] = v.ordering();
      journaledAt[i] = journaled.get(v.ordering()).toString();
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.COUNTED_VOTES)) {
      ps.setArray(1, connection.createArrayOf("int4", observedBy));
      ps.setArray(2, connection.createArrayOf("text", txId));
      ps.setArray(3, connection.createArrayOf("int4", nodeId));
      ps.setArray(4, connection.createArrayOf("numeric", value));
      ps.setArray(5, connection.createArrayOf("text", issuedAt));
      ps.setArray(6, connection.createArrayOf("bytea", signature));
      ps.setArray(7, connection.createArrayOf("int8", ordering));
      ps.setArray(8, connection.createArrayOf("text", journaledAt));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counted.put(new CoalescedBatch.TxKey(rs.getInt(1), rs.getString(2)), rs.getInt(3));
        }
      }
    }
    return counted;
  }

  private void evidenceVotes(List<AuditRow.VoteRow> votes) throws SQLException {
    if (votes.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.EVIDENCE_VOTE)) {
      for (AuditRow.VoteRow v : votes) {
        ps.setInt(1, v.observedBy());
        ps.setString(2, v.txId());
        ps.setInt(3, v.nodeId());
        ps.setBigDecimal(4, unsigned(v.value()));
        ps.setTimestamp(5, Timestamp.from(v.issuedAt()));
        ps.setBytes(6, v.signature());
        ps.setLong(7, v.ordering());
        ps.setTimestamp(8, journaledAt(v.ordering()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void violations(List<AuditRow.ViolationRow> violations) throws SQLException {
    if (violations.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.VIOLATION)) {
      for (AuditRow.ViolationRow x : violations) {
        ps.setInt(1, x.observedBy());
        ps.setString(2, x.txId());
        ps.setInt(3, x.nodeId());
        ps.setString(4, x.violationType());
        ps.setString(5, x.evidenceJson());
        ps.setLong(6, x.ordering());
        ps.setTimestamp(7, journaledAt(x.ordering()));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void scores(List<AuditRow.ScoreRow> scores) throws SQLException {
    if (scores.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.SCORE)) {
      for (AuditRow.ScoreRow s : scores) {
        ps.setInt(1, s.observedBy());
        ps.setInt(2, s.nodeId());
        ps.setDouble(3, s.score());
        ps.setLong(4, s.ordering());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private void bans(List<AuditRow.BanRow> bans) throws SQLException {
    if (bans.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.BAN)) {
      for (AuditRow.BanRow b : bans) {
        ps.setInt(1, b.observedBy());
        ps.setInt(2, b.nodeId());
        ps.setBoolean(3, b.banned());
        ps.setString(4, b.reason());
        ps.setLong(5, b.ordering());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** One upsert per transactions row a change or a newly counted vote touched. */
  private void transactions(
      Map<CoalescedBatch.TxKey, CoalescedBatch.TxChange> changes,
      Map<CoalescedBatch.TxKey, Integer> counted)
      throws SQLException {
    Map<CoalescedBatch.TxKey, CoalescedBatch.TxChange> rows = new LinkedHashMap<>(changes);
    counted.keySet().forEach(k -> rows.putIfAbsent(k, CoalescedBatch.TxChange.none(k)));
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.TX_CHANGE)) {
      for (CoalescedBatch.TxChange t : rows.values()) {
        ps.setInt(1, t.key().observedBy());
        ps.setString(2, t.key().txId());
        ps.setString(3, t.state() == null ? "COLLECTING" : t.state());
        ps.setLong(4, t.state() == null ? 0 : t.stateOrdering());
        ps.setInt(5, counted.getOrDefault(t.key(), 0));
        if (t.hasValue()) {
          ps.setBigDecimal(6, unsigned(t.value()));
        } else {
          ps.setNull(6, Types.NUMERIC);
        }
        ps.setString(7, t.certificateJson());
        ps.setString(8, t.outcomeReason());
        ps.setTimestamp(9, timestamp(t.decidedAt()));
        ps.setTimestamp(10, timestamp(t.committedAt()));
        ps.setTimestamp(11, timestamp(t.firstVoteAt()));
        ps.setTimestamp(12, timestamp(t.deadlineAt()));
        ps.setString(13, t.safetyAlarm());
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private Timestamp journaledAt(long ordering) {
    return Timestamp.from(journaled.get(ordering));
  }

  private static Timestamp timestamp(Instant at) {
    return at == null ? null : Timestamp.from(at);
  }

  private static BigDecimal unsigned(long value) {
    return new BigDecimal(Long.toUnsignedString(value));
  }
}
