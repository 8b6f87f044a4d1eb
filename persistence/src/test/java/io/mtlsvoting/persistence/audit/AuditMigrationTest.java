package io.mtlsvoting.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.db.Migrations;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** V2 (audit trail) applies on a fresh database and on one that has only V1 and journal data. */
class AuditMigrationTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension(false);

  static final List<String> AUDIT_TABLES =
      List.of(
          "votes",
          "byzantine_violations",
          "reputation_scores",
          "transactions",
          "projection_offset");

  @Test
  void freshDatabaseGetsV1AndV2() throws SQLException {
    DataSource ds = postgres.dataSource(postgres.createDatabase());
    assertEquals(2, Migrations.apply(ds));
    assertTrue(relations(ds, "TABLE").containsAll(AUDIT_TABLES));
    assertTrue(relations(ds, "VIEW").containsAll(List.of("vote_history", "violation_detections")));
    assertEquals(0, Migrations.apply(ds));
  }

  @Test
  void databaseWithV1OnlyIsUpgradedAndKeepsItsJournal() throws SQLException {
    DataSource ds = postgres.dataSource(postgres.createDatabase());
    Flyway.configure().dataSource(ds).locations(Migrations.LOCATION).target("1").load().migrate();
    assertTrue(relations(ds, "TABLE").contains("event_journal"));
    assertTrue(relations(ds, "TABLE").stream().noneMatch(AUDIT_TABLES::contains));
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO event_journal (persistence_id, sequence_nr, writer, write_timestamp,"
              + " serializer_id, manifest, payload) VALUES ('node-1|tx-a', 1, 'w', 0, 1, '', '\\x00')");
    }

    assertEquals(1, Migrations.apply(ds));
    assertTrue(relations(ds, "TABLE").containsAll(AUDIT_TABLES));
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM event_journal")) {
      rs.next();
      assertEquals(1, rs.getInt(1));
    }
  }

  private static List<String> relations(DataSource ds, String type) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = ds.getConnection();
        ResultSet rs = c.getMetaData().getTables(null, "public", "%", new String[] {type})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
