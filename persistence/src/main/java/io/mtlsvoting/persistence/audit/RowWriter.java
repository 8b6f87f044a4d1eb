package io.mtlsvoting.persistence.audit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one {@link CoalescedBatch} on a connection inside a transaction, a few statements per
 * batch: the counted votes and then the transactions rows with their vote counts each in one
 * statement over arrays (one element per vote or row), every rarer kind as one JDBC batch (the
 * driver's reWriteBatchedInserts turns the plain upserts into multi-row INSERTs, safe because the
 * batch holds each key once).
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
    Long[] value = new Long[n];
    Long[] issuedAt = new Long[n];
    byte[][] signature = new byte[n][];
    Long[] ordering = new Long[n];
    Long[] journaledAt = new Long[n];
    for (int i = 0; i < n; i++) {
      AuditRow.VoteRow v = votes.get(i);
      observedBy[i] = v.observedBy();
      txId[i] = v.txId();
      nodeId[i] = v.nodeId();
      value[i] = v.value();
      issuedAt[i] = micros(v.issuedAt());
      signature[i] = v.signature();
      ordering[i] = v.ordering();
      journaledAt[i] = micros(journaled.get(v.ordering()));
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.COUNTED_VOTES)) {
      ps.setArray(1, connection.createArrayOf("int4", observedBy));
      ps.setArray(2, connection.createArrayOf("text", txId));
      ps.setArray(3, connection.createArrayOf("int4", nodeId));
      ps.setArray(4, connection.createArrayOf("int8", value));
      ps.setArray(5, connection.createArrayOf("int8", issuedAt));
      ps.setArray(6, connection.createArrayOf("bytea", signature));
      ps.setArray(7, connection.createArrayOf("int8", ordering));
      ps.setArray(8, connection.createArrayOf("int8", journaledAt));
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
    int n = rows.size();
    Integer[] observedBy = new Integer[n];
    String[] txId = new String[n];
    String[] state = new String[n];
    Long[] stateOrdering = new Long[n];
    Integer[] voteCount = new Integer[n];
    Long[] value = new Long[n];
    String[] certificate = new String[n];
    String[] reason = new String[n];
    Long[] decidedAt = new Long[n];
    Long[] committedAt = new Long[n];
    Long[] firstVoteAt = new Long[n];
    Long[] deadlineAt = new Long[n];
    String[] alarm = new String[n];
    int i = 0;
    for (CoalescedBatch.TxChange t : rows.values()) {
      observedBy[i] = t.key().observedBy();
      txId[i] = t.key().txId();
      state[i] = t.state() == null ? "COLLECTING" : t.state();
      stateOrdering[i] = t.state() == null ? 0 : t.stateOrdering();
      voteCount[i] = counted.getOrDefault(t.key(), 0);
      value[i] = t.hasValue() ? t.value() : null;
      certificate[i] = t.certificateJson();
      reason[i] = t.outcomeReason();
      decidedAt[i] = micros(t.decidedAt());
      committedAt[i] = micros(t.committedAt());
      firstVoteAt[i] = micros(t.firstVoteAt());
      deadlineAt[i] = micros(t.deadlineAt());
      alarm[i] = t.safetyAlarm();
      i++;
    }
    try (PreparedStatement ps = connection.prepareStatement(AuditSql.TX_CHANGE)) {
      ps.setArray(1, connection.createArrayOf("int4", observedBy));
      ps.setArray(2, connection.createArrayOf("text", txId));
      ps.setArray(3, connection.createArrayOf("text", state));
      ps.setArray(4, connection.createArrayOf("int8", stateOrdering));
      ps.setArray(5, connection.createArrayOf("int4", voteCount));
      ps.setArray(6, connection.createArrayOf("int8", value));
      ps.setArray(7, connection.createArrayOf("text", certificate));
      ps.setArray(8, connection.createArrayOf("text", reason));
      ps.setArray(9, connection.createArrayOf("int8", decidedAt));
      ps.setArray(10, connection.createArrayOf("int8", committedAt));
      ps.setArray(11, connection.createArrayOf("int8", firstVoteAt));
      ps.setArray(12, connection.createArrayOf("int8", deadlineAt));
      ps.setArray(13, connection.createArrayOf("text", alarm));
      ps.executeUpdate();
    }
  }

  private Timestamp journaledAt(long ordering) {
    return Timestamp.from(journaled.get(ordering));
  }

  /** Microseconds since the epoch, to the nearest (PostgreSQL keeps microseconds). */
  private static Long micros(Instant at) {
    if (at == null) {
      return null;
    }
    return Math.addExact(
        Math.multiplyExact(at.getEpochSecond(), 1_000_000L), (at.getNano() + 500) / 1000);
  }

  private static BigDecimal unsigned(long value) {
    return new BigDecimal(Long.toUnsignedString(value));
  }
}
