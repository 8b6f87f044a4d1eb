package io.mtlsvoting.persistence.db;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL for tests: one {@link EmbeddedPostgresServer} per test JVM (started on first
 * use, stopped at the end of the run) and a fresh, migrated database per test class. Register with
 * {@code @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();}.
 */
public final class PostgresExtension implements BeforeAllCallback {

  private static final Object lock = new Object();
  private static EmbeddedPostgresServer server;

  private final boolean migrate;
  private String database;

  /** A migrated database per test class. */
  public PostgresExtension() {
    this(true);
  }

  /** A database per test class, migrated or left empty. */
  public PostgresExtension(boolean migrate) {
    this.migrate = migrate;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    EmbeddedPostgresServer pg = sharedServer(context);
    database = createDatabase();
    if (migrate) {
      Migrations.apply(dataSource(database));
    }
    assert pg != null;
  }

  /** JDBC URL of this class's database. */
  public String jdbcUrl() {
    return jdbcUrl(database);
  }

  /** JDBC URL of {@code db} on the shared server. */
  public String jdbcUrl(String db) {
    return server.jdbcUrl(db);
  }

  /** An unpooled data source on this class's database (for test set-up and checks). */
  public DataSource dataSource() {
    return dataSource(database);
  }

  /** An unpooled data source on {@code db}. */
  public DataSource dataSource(String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(jdbcUrl(db));
    return ds;
  }

  /** {@code mtls-voting.persistence.db.url} pointing at this class's database. */
  public Config dbConfig() {
    return ConfigFactory.empty()
        .withValue("mtls-voting.persistence.db.url", ConfigValueFactory.fromAnyRef(jdbcUrl()));
  }

  /** Creates another empty database with a random name and returns its name. */
  public String createDatabase() {
    String name = "x_" + UUID.randomUUID().toString().replace("-", "");
    execute(server.jdbcUrl(), "CREATE DATABASE " + name);
    return name;
  }

  /** The first column of the first row {@code sql} returns on this class's database, as text. */
  public String queryString(String sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new IllegalStateException("Test SQL returned no row: " + sql);
      }
      return rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Test SQL failed: " + sql, e);
    }
  }

  /** Runs one SQL statement on this class's database. */
  public void execute(String sql) {
    execute(jdbcUrl(), sql);
  }

  private static void execute(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("Test SQL failed: " + sql, e);
    }
  }

  private static EmbeddedPostgresServer sharedServer(ExtensionContext context) {
    synchronized (lock) {
      if (server == null) {
        try {
          Path dir = Files.createTempDirectory("mtls-voting-pg-");
          server = EmbeddedPostgresServer.start(dir.resolve("data"), 0);
          // The root store closes its values once all tests of this JVM have run.
          context
              .getRoot()
              .getStore(ExtensionContext.Namespace.GLOBAL)
              .put(PostgresExtension.class.getName(), new ServerCloser(server, dir));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return server;
    }
  }

  private record ServerCloser(EmbeddedPostgresServer server, Path dir) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      server.close();
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
