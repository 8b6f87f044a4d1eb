package io.mtlsvoting.persistence.journal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Reads the journal in global {@code ordering} for projections. Blocking: call it from a JDBC
 * dispatcher. Orderings are assigned at insert, so a transaction of another writer (another node on
 * the same database) may commit a lower ordering after a higher one became visible; a projection
 * that must not skip such rows re-reads a short window behind its offset.
 */
public final class JournalReader {

  private static final String EVENTS_AFTER =
      "SELECT ordering, persistence_id, sequence_nr, serializer_id, manifest, payload, deleted,"
          + " write_timestamp FROM event_journal WHERE ordering > ? ORDER BY ordering LIMIT ?";

  // The events of the wanted persistence ids, and only the position of the others: a projection of
  // some ids must still see every ordering to tell a gap from another writer's row.
  private static final String WANTED_COLUMNS =
      "SELECT ordering, wanted, "
          + Stream.of(
                  "persistence_id",
                  "sequence_nr",
                  "serializer_id",
                  "manifest",
                  "payload",
                  "deleted",
                  "write_timestamp")
              .map(c -> "CASE WHEN wanted THEN " + c + " END")
              .collect(Collectors.joining(", "))
          + " FROM (SELECT ordering, persistence_id, sequence_nr, serializer_id, manifest, payload,"
          + " deleted, write_timestamp, persistence_id LIKE ANY (?) AS wanted FROM event_journal";

  private static final String WANTED_AFTER =
      WANTED_COLUMNS + " WHERE ordering > ? ORDER BY ordering LIMIT ?) j ORDER BY ordering";

  private static final String WANTED_AT =
      WANTED_COLUMNS + " WHERE ordering = ANY (?)) j ORDER BY ordering";

  /**
   * One read for a projection: every ordering read, and the events among them of the persistence
   * ids it asked for.
   */
  public record Page(List<Long> orderings, List<JournalRow> events) {
    public Page {
      orderings = List.copyOf(orderings);
      events = List.copyOf(events);
    }
  }

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
                  rs.getBoolean(7),
                  rs.getLong(8)));
        }
      }
      return rows;
    }
  }

  /**
   * At most {@code limit} rows with an ordering greater than {@code ordering}, in order: the
   * orderings of all of them, and the events of those whose persistence id starts with one of
   * {@code idPrefixes} (the other events are not transferred).
   */
  public Page eventsAfter(long ordering, int limit, List<String> idPrefixes) throws SQLException {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1, was " + limit);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(WANTED_AFTER)) {
      ps.setArray(1, patterns(c, idPrefixes));
      ps.setLong(2, ordering);
      ps.setInt(3, limit);
      return page(ps);
    }
  }

  /**
   * The rows at {@code orderings} visible now, in order, as {@link #eventsAfter(long, int, List)}
   * returns them: for a projection that reads again the orderings it found missing.
   */
  public Page eventsAt(Collection<Long> orderings, List<String> idPrefixes) throws SQLException {
    if (orderings.isEmpty()) {
      return new Page(List.of(), List.of());
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(WANTED_AT)) {
      ps.setArray(1, patterns(c, idPrefixes));
      ps.setArray(2, c.createArrayOf("bigint", orderings.toArray(Long[]::new)));
      return page(ps);
    }
  }

  private static Page page(PreparedStatement ps) throws SQLException {
    List<Long> orderings = new ArrayList<>();
    List<JournalRow> events = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        long ordering = rs.getLong(1);
        orderings.add(ordering);
        if (rs.getBoolean(2)) {
          events.add(
              new JournalRow(
                  ordering,
                  rs.getString(3),
                  rs.getLong(4),
                  rs.getInt(5),
                  rs.getString(6),
                  rs.getBytes(7),
                  rs.getBoolean(8),
                  rs.getLong(9)));
        }
      }
    }
    return new Page(orderings, events);
  }

  /** LIKE patterns matching the ids that start with {@code prefixes}. */
  private static Array patterns(Connection c, List<String> prefixes) throws SQLException {
    String[] patterns = new String[prefixes.size()];
    for (int i = 0; i < patterns.length; i++) {
      patterns[i] = JournalDao.likePrefix(prefixes.get(i));
    }
    return c.createArrayOf("text", patterns);
  }
}
