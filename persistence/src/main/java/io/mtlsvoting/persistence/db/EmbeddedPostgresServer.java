package io.mtlsvoting.persistence.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL 14 server run from the bundled zonky binaries: the default database of a node that
 * has no external PostgreSQL, and the real database of the tests. Its data directory survives
 * restarts, it listens on 127.0.0.1 only, and unlike zonky's test defaults it is durable ({@code
 * fsync}, {@code synchronous_commit} and {@code full_page_writes} on).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
  private static final String HOST = "127.0.0.1";

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Starts a server on {@code dataDirectory} (initialised on first use, reused afterwards) and
   * {@code port} (0 picks a free port).
   */
  public static EmbeddedPostgresServer start(Path dataDirectory, int port) {
    Objects.requireNonNull(dataDirectory, "dataDirectory");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be within 0..65535, was " + port);
    }
    try {
      Path dir = dataDirectory.toAbsolutePath();
      Files.createDirectories(dir);
      int chosenPort = port == 0 ? freePort() : port;
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(dir)
              .setCleanDataDirectory(false)
              .setPort(chosenPort)
              // zonky tunes for throwaway test data; a node's journal must survive a crash.
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("listen_addresses", HOST)
              .start();
      log.info("Embedded PostgreSQL listening on {}:{}, data in {}", HOST, chosenPort, dir);
      return new EmbeddedPostgresServer(pg, dir);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Could not start embedded PostgreSQL on data directory " + dataDirectory, e);
    }
  }

  /** The port the server listens on. */
  public int port() {
    return postgres.getPort();
  }

  /** The data directory. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** JDBC URL of {@code database}, connecting as the superuser {@code postgres}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port() + "/" + database + "?user=postgres";
  }

  /** JDBC URL of the default {@code postgres} database. */
  public String jdbcUrl() {
    return jdbcUrl("postgres");
  }

  /** Stops the server (fast shutdown); the data directory is kept. */
  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not stop embedded PostgreSQL", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }
}
