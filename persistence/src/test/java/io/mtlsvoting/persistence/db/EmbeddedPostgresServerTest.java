package io.mtlsvoting.persistence.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server is durable, local-only, and keeps its data across restarts. */
class EmbeddedPostgresServerTest {

  @TempDir Path dir;

  @Test
  void runsWithDurableSettingsOnLoopbackAndKeepsDataAcrossRestarts() throws SQLException {
    Path data = dir.resolve("pg");
    int port;
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, 0)) {
      port = pg.port();
      try (Connection c = DriverManager.getConnection(pg.jdbcUrl());
          Statement s = c.createStatement()) {
        assertEquals("on", show(s, "fsync"));
        assertEquals("on", show(s, "synchronous_commit"));
        assertEquals("on", show(s, "full_page_writes"));
        assertEquals("127.0.0.1", show(s, "listen_addresses"));
        s.execute("CREATE TABLE kept (v int)");
        s.execute("INSERT INTO kept VALUES (42)");
      }
    }
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(data, port);
        Connection c = DriverManager.getConnection(pg.jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertEquals(port, pg.port());
      rs.next();
      assertEquals(42, rs.getInt(1));
    }
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
