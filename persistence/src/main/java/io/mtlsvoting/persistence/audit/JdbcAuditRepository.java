package io.mtlsvoting.persistence.audit;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/** Plain-JDBC {@link AuditRepository}; the SQL of each row kind is in {@link AuditSql}. */
final class JdbcAuditRepository implements AuditRepository {

  private final DataSource dataSource;

  JdbcAuditRepository(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  @Override
  public ProjectionOffset loadOffset(String name) throws SQLException {
    Objects.requireNonNull(name, "name");
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(AuditSql.LOAD_OFFSET)) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return ProjectionOffset.start(name);
        }
        List<Long> gaps = new ArrayList<>();
        for (Long g : (Long[]) rs.getArray(3).getArray()) {
          gaps.add(g);
        }
        return new ProjectionOffset(name, rs.getLong(1), rs.getLong(2), gaps);
      }
    }
  }

  @Override
  public void apply(List<AuditRow> rows, Map<Long, Instant> journaledAt, ProjectionOffset newOffset)
      throws SQLException {
    Objects.requireNonNull(rows, "rows");
    Objects.requireNonNull(journaledAt, "journaledAt");
    Objects.requireNonNull(newOffset, "newOffset");
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        if (!rows.isEmpty()) {
          Map<Long, Instant> journaled = journalTimes(c, rows, journaledAt);
          // Rows that supersede each other are merged: each key is written once per batch.
          new RowWriter(c, journaled).write(CoalescedBatch.of(rows, journaled));
        }
        storeOffset(c, newOffset);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /**
   * When each row's event was journaled: {@code known}, else from the journal, else now (an event
   * no longer in the journal).
   */
  private static Map<Long, Instant> journalTimes(
      Connection c, List<AuditRow> rows, Map<Long, Instant> known) throws SQLException {
    Map<Long, Instant> times = new HashMap<>(known);
    Long[] orderings =
        rows.stream()
            .map(AuditRow::ordering)
            .filter(o -> !times.containsKey(o))
            .distinct()
            .toArray(Long[]::new);
    if (orderings.length == 0) {
      return times;
    }
    try (PreparedStatement ps = c.prepareStatement(AuditSql.JOURNAL_TIMES)) {
      Array array = c.createArrayOf("bigint", orderings);
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          times.put(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)));
        }
      }
    }
    Instant now = Instant.now();
    for (Long o : orderings) {
      times.putIfAbsent(o, now);
    }
    return times;
  }

  private static void storeOffset(Connection c, ProjectionOffset o) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(AuditSql.STORE_OFFSET)) {
      ps.setString(1, o.name());
      ps.setLong(2, o.watermark());
      ps.setLong(3, o.head());
      ps.setArray(4, c.createArrayOf("bigint", o.gaps().toArray(Long[]::new)));
      ps.executeUpdate();
    }
  }

  @Override
  public TxHorizon horizon() throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(AuditSql.HORIZON);
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new TxHorizon(rs.getLong(1), rs.getLong(2));
    }
  }

  @Override
  public List<ViolationEntry> violationsByTx(String txId) throws SQLException {
    Objects.requireNonNull(txId, "txId");
    List<ViolationEntry> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(AuditSql.VIOLATIONS_BY_TX)) {
      ps.setString(1, txId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new ViolationEntry(
                  rs.getLong(1),
                  rs.getInt(2),
                  rs.getString(3),
                  rs.getInt(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getTimestamp(7).toInstant()));
        }
      }
    }
    return out;
  }

  @Override
  public List<TransactionEntry> transactionsByTx(String txId) throws SQLException {
    Objects.requireNonNull(txId, "txId");
    return transactions(AuditSql.TRANSACTIONS_BY_TX, txId, 0);
  }

  @Override
  public Optional<TransactionEntry> transaction(int observedBy, String txId) throws SQLException {
    Objects.requireNonNull(txId, "txId");
    return transactions(AuditSql.TRANSACTION, txId, observedBy).stream().findFirst();
  }

  private List<TransactionEntry> transactions(String sql, String txId, int observedBy)
      throws SQLException {
    List<TransactionEntry> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, txId);
      if (observedBy != 0) {
        ps.setInt(2, observedBy);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          BigDecimal value = rs.getBigDecimal(4);
          out.add(
              new TransactionEntry(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getString(3),
                  value != null,
                  value == null ? 0L : value.toBigInteger().longValue(),
                  rs.getInt(5),
                  rs.getString(6),
                  instant(rs.getTimestamp(7)),
                  instant(rs.getTimestamp(8)),
                  instant(rs.getTimestamp(9)),
                  instant(rs.getTimestamp(10)),
                  rs.getString(11),
                  rs.getString(12)));
        }
      }
    }
    return out;
  }

  @Override
  public List<String> openTransactions(int observedBy) throws SQLException {
    return txIds(AuditSql.OPEN_TRANSACTIONS, observedBy);
  }

  @Override
  public List<String> uncommittedDecisions(int observedBy) throws SQLException {
    return txIds(AuditSql.UNCOMMITTED_DECISIONS, observedBy);
  }

  private List<String> txIds(String sql, int observedBy) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, observedBy);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
