package io.mtlsvoting.persistence.audit;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Binds audit rows to one prepared statement per kind on a connection inside a transaction: vote
 * and violation rows (one row per statement even if the driver rewrites the batch) in JDBC batches,
 * updating upserts one by one.
 */
final class RowWriter implements AutoCloseable {

  private final Connection connection;
  private final Map<Long, Timestamp> journaled;
  private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();

  RowWriter(Connection connection, Map<Long, Timestamp> journaled) {
    this.connection = connection;
    this.journaled = journaled;
  }

  void add(AuditRow row) throws SQLException {
    Timestamp at = journaled.get(row.ordering());
    if (row instanceof AuditRow.VoteRow v) {
      PreparedStatement ps =
          statement(v.counted() ? AuditSql.COUNTED_VOTE : AuditSql.EVIDENCE_VOTE);
      ps.setInt(1, v.observedBy());
      ps.setString(2, v.txId());
      ps.setInt(3, v.nodeId());
      ps.setBigDecimal(4, unsigned(v.value()));
      ps.setTimestamp(5, Timestamp.from(v.issuedAt()));
      ps.setBytes(6, v.signature());
      ps.setLong(7, v.ordering());
      ps.setTimestamp(8, at);
      ps.addBatch();
    } else if (row instanceof AuditRow.ViolationRow x) {
      PreparedStatement ps = statement(AuditSql.VIOLATION);
      ps.setInt(1, x.observedBy());
      ps.setString(2, x.txId());
      ps.setInt(3, x.nodeId());
      ps.setString(4, x.violationType());
      ps.setString(5, x.evidenceJson());
      ps.setLong(6, x.ordering());
      ps.setTimestamp(7, at);
      ps.addBatch();
    } else if (row instanceof AuditRow.ScoreRow s) {
      PreparedStatement ps = statement(AuditSql.SCORE);
      ps.setInt(1, s.observedBy());
      ps.setInt(2, s.nodeId());
      ps.setDouble(3, s.score());
      ps.setLong(4, s.ordering());
      single(ps);
    } else if (row instanceof AuditRow.BanRow b) {
      PreparedStatement ps = statement(AuditSql.BAN);
      ps.setInt(1, b.observedBy());
      ps.setInt(2, b.nodeId());
      ps.setBoolean(3, b.banned());
      ps.setString(4, b.reason());
      ps.setLong(5, b.ordering());
      single(ps);
    } else if (row instanceof AuditRow.TxOpenedRow o) {
      PreparedStatement ps = statement(AuditSql.TX_OPENED);
      ps.setInt(1, o.observedBy());
      ps.setString(2, o.txId());
      ps.setTimestamp(3, Timestamp.from(o.openedAt()));
      ps.setTimestamp(4, Timestamp.from(o.deadline()));
      ps.setLong(5, o.ordering());
      single(ps);
    } else if (row instanceof AuditRow.TxStateRow t) {
      addState(t, at);
    } else if (row instanceof AuditRow.SafetyAlarmRow a) {
      PreparedStatement ps = statement(AuditSql.SAFETY_ALARM);
      ps.setInt(1, a.observedBy());
      ps.setString(2, a.txId());
      ps.setString(3, a.alarm());
      single(ps);
    }
  }

  private void addState(AuditRow.TxStateRow t, Timestamp at) throws SQLException {
    boolean committed = t.state().equals("COMMITTED");
    PreparedStatement ps = statement(AuditSql.TX_STATE);
    ps.setInt(1, t.observedBy());
    ps.setString(2, t.txId());
    ps.setString(3, t.state());
    if (t.hasValue()) {
      ps.setBigDecimal(4, unsigned(t.value()));
    } else {
      ps.setNull(4, Types.NUMERIC);
    }
    ps.setString(5, t.certificateJson());
    ps.setString(6, t.reason());
    // Leaving COLLECTING is the decision (threshold or abort); a commit follows a decision.
    ps.setTimestamp(7, committed ? null : at);
    ps.setTimestamp(8, committed ? at : null);
    ps.setLong(9, t.ordering());
    single(ps);
  }

  /** Runs the batches. */
  void execute() throws SQLException {
    for (PreparedStatement ps : statements.values()) {
      ps.executeBatch();
    }
  }

  /**
   * Runs an upsert that may update: batching it would let the driver (reWriteBatchedInserts) merge
   * rows into one multi-row INSERT, which fails when two of them update the same row.
   */
  private static void single(PreparedStatement ps) throws SQLException {
    ps.executeUpdate();
  }

  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(sql);
      statements.put(sql, ps);
    }
    return ps;
  }

  private static BigDecimal unsigned(long value) {
    return new BigDecimal(Long.toUnsignedString(value));
  }

  @Override
  public void close() throws SQLException {
    SQLException first = null;
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
