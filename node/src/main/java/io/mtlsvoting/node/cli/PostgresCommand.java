package io.mtlsvoting.node.cli;

import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.EmbeddedPostgresServer;
import io.mtlsvoting.persistence.db.Migrations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code postgres}: runs the embedded PostgreSQL server on its own, so several local nodes can
 * share one database (the local cluster script uses it). Runs until the process is stopped.
 */
@Command(
    name = "postgres",
    mixinStandardHelpOptions = true,
    description = {
      "Run the embedded PostgreSQL server (durable: fsync and synchronous_commit on) on",
      "127.0.0.1 until stopped, with the node schema migrated. Prints its JDBC URL."
    })
public final class PostgresCommand implements Callable<Integer> {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "data/postgres",
      description = "Data directory, kept across restarts (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "5432",
      description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    EmbeddedPostgresServer server;
    try {
      server = EmbeddedPostgresServer.start(dataDir, port);
    } catch (RuntimeException e) {
      System.err.println("mtls-voting postgres: could not start: " + e.getMessage());
      return 1;
    }
    String url = server.jdbcUrl();
    try (var lease =
        DataSourceRegistry.acquire(new DbSettings(url, "", "", 2, "", Duration.ofSeconds(10)))) {
      Migrations.apply(lease.dataSource());
    } catch (RuntimeException e) {
      System.err.println("mtls-voting postgres: migrations failed: " + e.getMessage());
      server.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "postgres-shutdown"));
    System.out.println("POSTGRES_URL=" + url);
    System.out.flush();
    stopped.await();
    return 0;
  }
}
