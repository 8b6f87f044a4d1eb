package io.mtlsvoting.persistence.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.pekko.persistence.PersistentRepr;

/** Blocking SQL of the journal; callers run it on the JDBC dispatcher. */
final class JournalDao {

  private static final String INSERT =
      "INSERT INTO event_journal (persistence_id, sequence_nr, deleted, writer, write_timestamp,"
          + " serializer_id, manifest, payload, event_manifest, tags)"
          + " VALUES (?, ?, FALSE, ?, ?, ?, ?, ?, ?, ?)";
  private static final String REPLAY =
      "SELECT sequence_nr, writer, write_timestamp, serializer_id, manifest, payload,"
          + " event_manifest FROM event_journal WHERE persistence_id = ? AND sequence_nr >= ?"
          + " AND sequence_nr <= ? AND NOT deleted ORDER BY sequence_nr LIMIT ?";
  // One row per id of the array. Each subquery is a primary-key lookup (max() reads the last
  // entry of the id's range in event_journal_pkey), so history length does not matter. The ids
  // come from generate_subscripts, not unnest: PostgreSQL sizes unnest by the array it is given
  // and so plans that query afresh on every execution (EXPLAIN ANALYZE: 0.5 ms planning, 0.2 ms
  // lookups); generate_subscripts has a fixed estimate, and the statement keeps one generic plan.
  private static final String HIGHEST =
      "SELECT ids.pid, GREATEST("
          + "(SELECT max(j.sequence_nr) FROM event_journal j WHERE j.persistence_id = ids.pid),"
          + " (SELECT h.highest_sequence_nr FROM event_journal_highest h"
          + " WHERE h.persistence_id = ids.pid))"
          + " FROM (SELECT a.arr[s.i] AS pid FROM (SELECT ?::text[] AS arr) a,"
          + " generate_subscripts(a.arr, 1) AS s(i)) ids";
  // Every id with a prefix that HIGHEST can answer with more than 0. A sequential read of the
  // table (repeats are cheaper to pass on than to remove), streamed through a cursor.
  private static final String IDS_LIKE =
      "SELECT persistence_id FROM event_journal WHERE persistence_id LIKE ?"
          + " UNION ALL SELECT persistence_id FROM event_journal_highest WHERE persistence_id LIKE ?";
  // Remembers the highest deleted sequence number so a later purge can never lower it. The newest
  // row at or below the bound is one backward step in the primary key, whatever the history.
  private static final String KEEP_HIGHEST =
      "INSERT INTO event_journal_highest (persistence_id, highest_sequence_nr)"
          + " SELECT persistence_id, sequence_nr FROM event_journal"
          + " WHERE persistence_id = ? AND sequence_nr <= ? ORDER BY sequence_nr DESC LIMIT 1"
          + " ON CONFLICT (persistence_id) DO UPDATE SET highest_sequence_nr ="
          + " GREATEST(event_journal_highest.highest_sequence_nr, EXCLUDED.highest_sequence_nr)";
  // Every event up to the remembered highest was marked by an earlier deletion (only deleteTo
  // writes it), so the scan starts after it: a deletion reads the events it marks, not the whole
  // deleted history of the id (the etcd outbox deletes every few hundred events, for ever).
  static final String MARK_DELETED =
      "UPDATE event_journal SET deleted = TRUE WHERE persistence_id = ? AND sequence_nr > COALESCE("
          + "(SELECT h.highest_sequence_nr FROM event_journal_highest h"
          + " WHERE h.persistence_id = ?), 0) AND sequence_nr <= ? AND NOT deleted";

  // Connections go back to HikariCP, which restores auto-commit on return.
  private final DataSource dataSource;

  JournalDao(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Inserts all rows in one transaction (one multi-row INSERT with the driver's rewrite). */
  void insert(List<SerializedEvent> rows) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        for (SerializedEvent row : rows) {
          ps.setString(1, row.persistenceId());
          ps.setLong(2, row.sequenceNr());
          ps.setString(3, row.writer());
          ps.setLong(4, row.writeTimestamp());
          ps.setInt(5, row.serializerId());
          ps.setString(6, row.manifest());
          ps.setBytes(7, row.payload());
          ps.setString(8, row.eventManifest());
          if (row.tags() == null) {
            ps.setNull(9, Types.ARRAY);
          } else {
            ps.setArray(9, c.createArrayOf("text", row.tags()));
          }
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  /** Streams the non-deleted events of the range, oldest first, at most {@code max} of them. */
  void replay(
      String persistenceId,
      long from,
      long to,
      long max,
      EventSerializer serializer,
      Consumer<PersistentRepr> callback)
      throws SQLException {
    if (max <= 0 || from > to) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      // A cursor (fetch size) needs a transaction; keeps memory flat for long histories.
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(REPLAY)) {
        ps.setFetchSize(500);
        ps.setString(1, persistenceId);
        ps.setLong(2, from);
        ps.setLong(3, to);
        ps.setLong(4, max);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            callback.accept(
                serializer.deserialize(
                    persistenceId,
                    rs.getLong(1),
                    rs.getString(2),
                    rs.getLong(3),
                    rs.getInt(4),
                    rs.getString(5),
                    rs.getBytes(6),
                    rs.getString(7)));
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  /**
   * Highest sequence number ever written for each of the ids, deleted events included (also those
   * whose rows were purged); 0 for an id with none. Answers every id given.
   */
  Map<String, Long> highestSequenceNrs(List<String> persistenceIds) throws SQLException {
    Map<String, Long> highest = new HashMap<>(persistenceIds.size() * 2);
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(HIGHEST)) {
      ps.setArray(1, c.createArrayOf("text", persistenceIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          // GREATEST ignores a NULL side; both NULL (no events ever) reads as 0.
          highest.put(rs.getString(1), rs.getLong(2));
        }
      }
    }
    return highest;
  }

  /**
   * Passes every persistence id starting with {@code prefix} ("" for all) with a row in the journal
   * to {@code sink}, once per row: the ids whose highest sequence number is above 0.
   */
  void forEachPersistenceId(String prefix, Consumer<String> sink) throws SQLException {
    String pattern = likePrefix(prefix);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(IDS_LIKE)) {
        ps.setString(1, pattern);
        ps.setString(2, pattern);
        ps.setFetchSize(10_000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(rs.getString(1));
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  /**
   * The LIKE pattern of the strings starting with {@code prefix}: its wildcards and the escape
   * character (backslash) taken literally.
   */
  static String likePrefix(String prefix) {
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
  }

  /** Marks events up to {@code toSequenceNr} deleted; rows stay for the audit projection. */
  void deleteTo(String persistenceId, long toSequenceNr) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      // Marked before the remembered highest moves up: the mark starts after its old value.
      try (PreparedStatement mark = c.prepareStatement(MARK_DELETED);
          PreparedStatement keep = c.prepareStatement(KEEP_HIGHEST)) {
        mark.setString(1, persistenceId);
        mark.setString(2, persistenceId);
        mark.setLong(3, toSequenceNr);
        mark.executeUpdate();
        keep.setString(1, persistenceId);
        keep.setLong(2, toSequenceNr);
        keep.executeUpdate();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
