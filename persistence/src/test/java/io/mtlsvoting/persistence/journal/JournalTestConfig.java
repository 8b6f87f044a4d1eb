package io.mtlsvoting.persistence.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.PostgresExtension;

/** Actor system config that selects the JDBC plugins on the test class's database. */
final class JournalTestConfig {

  private static final String PLUGINS =
      """
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      pekko.loglevel = INFO
      pekko.persistence.journal.plugin = "mtls-voting.persistence.journal"
      pekko.persistence.snapshot-store.plugin = "mtls-voting.persistence.snapshot"
      pekko.actor.serialization-bindings {
        "io.mtlsvoting.persistence.journal.TestSerializable" = jackson-cbor
      }
      pekko.test.single-expect-default = 15s
      pekko.actor.testkit.typed.single-expect-default = 15s
      mtls-voting.persistence.db.pool-size = 8
      mtls-voting.persistence.jdbc-dispatcher.thread-pool-executor.fixed-pool-size = 8
      """;

  private JournalTestConfig() {}

  static Config of(PostgresExtension postgres) {
    return of(postgres, ConfigFactory.empty());
  }

  static Config of(PostgresExtension postgres, Config overrides) {
    return ConfigFactory.load(
        overrides
            .withFallback(ConfigFactory.parseString(PLUGINS))
            .withFallback(postgres.dbConfig()));
  }
}
