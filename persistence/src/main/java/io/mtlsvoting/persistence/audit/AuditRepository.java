package io.mtlsvoting.persistence.audit;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The audit trail tables (migration V2): written by the audit projection, read by operators and the
 * CLI. Blocking JDBC: call it from the JDBC dispatcher, never from an actor's thread.
 */
public interface AuditRepository {

  /** A repository on {@code dataSource} (for example a {@code DataSourceRegistry} lease). */
  static AuditRepository create(DataSource dataSource) {
    return new JdbcAuditRepository(dataSource);
  }

  /** The stored offset of projection {@code name}, or {@link ProjectionOffset#start}. */
  ProjectionOffset loadOffset(String name) throws SQLException;

  /**
   * Writes {@code rows} and {@code newOffset} in one database transaction. Idempotent: applying the
   * same rows again, or in another order, leaves the same tables.
   */
  default void apply(List<AuditRow> rows, ProjectionOffset newOffset) throws SQLException {
    apply(rows, Map.of(), newOffset);
  }

  /**
   * As {@link #apply(List, ProjectionOffset)}, given when the events were journaled by ordering
   * (the journal's write_timestamp, as read with them); orderings not in {@code journaledAt} are
   * looked up in the journal.
   */
  void apply(List<AuditRow> rows, Map<Long, Instant> journaledAt, ProjectionOffset newOffset)
      throws SQLException;

  /** The database's current transaction horizon (for deciding that a journal gap is permanent). */
  TxHorizon horizon() throws SQLException;

  /** Every observer's violations in {@code txId}, oldest first. */
  List<ViolationEntry> violationsByTx(String txId) throws SQLException;

  /** Every observer's view of {@code txId}, by observer. */
  List<TransactionEntry> transactionsByTx(String txId) throws SQLException;

  /** {@code observedBy}'s view of {@code txId}. */
  Optional<TransactionEntry> transaction(int observedBy, String txId) throws SQLException;

  /**
   * Transactions {@code observedBy} still has COLLECTING, oldest first: the tallies to revive at
   * start-up so their deadlines resume.
   */
  List<String> openTransactions(int observedBy) throws SQLException;

  /**
   * Transactions {@code observedBy} decided (THRESHOLD_REACHED) but has not committed, oldest
   * decision first: at start-up, the ones whose commit never reached the etcd outbox (a crash
   * between the tally's write and the outbox's) are handed to it again.
   */
  List<String> uncommittedDecisions(int observedBy) throws SQLException;
}
