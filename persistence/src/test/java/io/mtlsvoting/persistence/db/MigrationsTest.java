package io.mtlsvoting.persistence.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Flyway migrations create the journal tables once and are a no-op the second time. */
class MigrationsTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension(false);

  @Test
  void freshDatabaseGetsTablesAndSecondRunIsNoOp() throws SQLException {
    DataSource ds = postgres.dataSource(postgres.createDatabase());
    assertTrue(tables(ds, "public").isEmpty());

    assertTrue(Migrations.apply(ds) >= 1);
    assertTrue(
        tables(ds, "public")
            .containsAll(List.of("event_journal", "event_journal_highest", "snapshot")));
    assertEquals(0, Migrations.apply(ds));
  }

  @Test
  void migratesIntoAConfiguredSchema() throws SQLException {
    DataSource ds = postgres.dataSource(postgres.createDatabase());
    assertTrue(Migrations.apply(ds, "voting") >= 1);
    assertTrue(tables(ds, "voting").contains("event_journal"));
    assertEquals(0, Migrations.apply(ds, "voting"));
  }

  private static List<String> tables(DataSource ds, String schema) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = ds.getConnection();
        ResultSet rs = c.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME"));
      }
    }
    return names;
  }
}
