package io.mtlsvoting.persistence.db;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Connection settings of the shared PostgreSQL database, read once from a {@code
 * mtls-voting.persistence.db} block. Two equal settings share one connection pool per JVM.
 *
 * @param url JDBC URL, {@code jdbc:postgresql://host:port/db}
 * @param user database user (empty: taken from the URL or the driver's default)
 * @param password password (empty: none)
 * @param poolSize maximum number of pooled connections
 * @param schema schema holding the tables (empty: the server's default search path)
 * @param connectionTimeout longest wait for a pooled connection (and for one TCP connect), so a
 *     database that is down fails calls quickly instead of hanging them
 */
public record DbSettings(
    String url,
    String user,
    String password,
    int poolSize,
    String schema,
    Duration connectionTimeout) {

  /** The standard location of the block in the application's config. */
  public static final String CONFIG_PATH = "mtls-voting.persistence.db";

  /** Validates the values and says which key is wrong. */
  public DbSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".url must be a jdbc:postgresql: URL, was '" + url + "'");
    }
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".pool-size must be within 1..1000, was " + poolSize);
    }
    if (connectionTimeout.toMillis() < 250) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".connection-timeout must be at least 250ms, was " + connectionTimeout);
    }
    if (!schema.isEmpty() && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          CONFIG_PATH + ".schema must be a lower-case SQL identifier, was '" + schema + "'");
    }
  }

  /** Reads the block at {@code path} of {@code root}. */
  public static DbSettings fromConfig(Config root, String path) {
    Config c = root.getConfig(path);
    return new DbSettings(
        c.getString("url"),
        c.getString("user"),
        c.getString("password"),
        c.getInt("pool-size"),
        c.getString("schema"),
        c.getDuration("connection-timeout"));
  }

  /** Reads the standard block {@value #CONFIG_PATH}. */
  public static DbSettings fromConfig(Config root) {
    return fromConfig(root, CONFIG_PATH);
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "DbSettings[url="
        + url
        + ", user="
        + user
        + ", poolSize="
        + poolSize
        + ", schema="
        + schema
        + ", connectionTimeout="
        + connectionTimeout
        + "]";
  }
}
