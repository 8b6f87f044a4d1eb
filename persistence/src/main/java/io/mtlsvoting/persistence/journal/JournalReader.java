package io.mtlsvoting.persistence.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Reads the journal in global {@code ordering} for projections. Blocking: call it from a JDBC
 * dispatcher. Orderings are assigned at insert, so a transaction of another writer (another node on
 * the same database) may commit a lower ordering after a higher one became visible; a projection
 * that must not skip such rows re-reads a short window behind its offset.
 */
public final class JournalReader {

  private static final String EVENTS_AFTER =
      "SELECT ordering, persistence_id, sequence_nr, serializer_id, manifest, payload, deleted"
          + " FROM event_journal WHERE ordering > ? ORDER BY ordering LIMIT ?";

  private final DataSource dataSource;

  /** A reader on {@code dataSource} (for example a {@code DataSourceRegistry} lease). */
  public JournalReader(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  /** At most {@code limit} events with an ordering greater than {@code ordering}, in order. */
  public List<JournalRow> eventsAfter(long ordering, int limit) throws SQLException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(EVENTS_AFTER)) {
      ps.setLong(1, ordering);
      ps.setInt(2, limit);
      List<JournalRow> rows = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new JournalRow(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getInt(4),
                  rs.getString(5),
                  rs.getBytes(6),
                  rs.getBoolean(7)));
        }
      }
      return rows;
    }
  }
}
