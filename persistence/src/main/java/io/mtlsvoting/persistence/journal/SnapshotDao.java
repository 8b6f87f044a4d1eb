package io.mtlsvoting.persistence.journal;

import io.mtlsvoting.persistence.journal.EventSerializer.StoredObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/** Blocking SQL of the snapshot store; callers run it on the JDBC dispatcher. */
final class SnapshotDao {

  private static final String UPSERT =
      "INSERT INTO snapshot (persistence_id, sequence_nr, created, serializer_id, manifest, payload)"
          + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET"
          + " created = EXCLUDED.created, serializer_id = EXCLUDED.serializer_id,"
          + " manifest = EXCLUDED.manifest, payload = EXCLUDED.payload";
  private static final String CRITERIA =
      " WHERE persistence_id = ? AND sequence_nr <= ? AND created <= ?"
          + " AND sequence_nr >= ? AND created >= ?";
  private static final String SELECT_LATEST =
      "SELECT sequence_nr, created, serializer_id, manifest, payload FROM snapshot"
          + CRITERIA
          + " ORDER BY sequence_nr DESC LIMIT 1";
  private static final String DELETE_MATCHING = "DELETE FROM snapshot" + CRITERIA;
  private static final String DELETE_ONE =
      "DELETE FROM snapshot WHERE persistence_id = ? AND sequence_nr = ?";
  private static final String DELETE_ONE_AT =
      "DELETE FROM snapshot WHERE persistence_id = ? AND sequence_nr = ? AND created = ?";

  /** A stored snapshot before deserialization. */
  record Row(SnapshotMetadata metadata, StoredObject snapshot) {}

  private final DataSource dataSource;

  SnapshotDao(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  void save(SnapshotMetadata metadata, StoredObject snapshot) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(UPSERT)) {
      ps.setString(1, metadata.persistenceId());
      ps.setLong(2, metadata.sequenceNr());
      ps.setLong(3, metadata.timestamp());
      ps.setInt(4, snapshot.serializerId());
      ps.setString(5, snapshot.manifest());
      ps.setBytes(6, snapshot.payload());
      ps.executeUpdate();
    }
  }

  /** The youngest snapshot matching {@code criteria}. */
  Optional<Row> latest(String persistenceId, SnapshotSelectionCriteria criteria)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT_LATEST)) {
      bindCriteria(ps, persistenceId, criteria);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        SnapshotMetadata metadata =
            SnapshotMetadata.apply(persistenceId, rs.getLong(1), rs.getLong(2));
        return Optional.of(
            new Row(metadata, new StoredObject(rs.getInt(3), rs.getString(4), rs.getBytes(5))));
      }
    }
  }

  /** Deletes one snapshot; a zero timestamp in the metadata matches any creation time. */
  void delete(SnapshotMetadata metadata) throws SQLException {
    boolean anyTime = metadata.timestamp() == 0L;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(anyTime ? DELETE_ONE : DELETE_ONE_AT)) {
      ps.setString(1, metadata.persistenceId());
      ps.setLong(2, metadata.sequenceNr());
      if (!anyTime) {
        ps.setLong(3, metadata.timestamp());
      }
      ps.executeUpdate();
    }
  }

  void deleteMatching(String persistenceId, SnapshotSelectionCriteria criteria)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(DELETE_MATCHING)) {
      bindCriteria(ps, persistenceId, criteria);
      ps.executeUpdate();
    }
  }

  private static void bindCriteria(
      PreparedStatement ps, String persistenceId, SnapshotSelectionCriteria criteria)
      throws SQLException {
    ps.setString(1, persistenceId);
    ps.setLong(2, criteria.maxSequenceNr());
    ps.setLong(3, criteria.maxTimestamp());
    ps.setLong(4, criteria.minSequenceNr());
    ps.setLong(5, criteria.minTimestamp());
  }
}
