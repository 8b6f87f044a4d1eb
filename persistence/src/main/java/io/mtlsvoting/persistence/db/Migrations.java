package io.mtlsvoting.persistence.db;

import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema migrations in {@code classpath:db/migration} (V1 journal and
 * snapshots, later versions the audit tables). Idempotent: a migrated database is left unchanged.
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** Where the migration scripts live on the class path. */
  public static final String LOCATION = "classpath:db/migration";

  private Migrations() {}

  /** Migrates the default schema of {@code dataSource}; returns the number of scripts applied. */
  public static int apply(DataSource dataSource) {
    return apply(dataSource, "");
  }

  /**
   * Migrates {@code schema} (created if missing; empty means the connection's default schema) and
   * returns the number of scripts applied.
   */
  public static int apply(DataSource dataSource, String schema) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(schema, "schema");
    var configuration = Flyway.configure().dataSource(dataSource).locations(LOCATION);
    if (!schema.isEmpty()) {
      configuration = configuration.schemas(schema).defaultSchema(schema).createSchemas(true);
    }
    MigrateResult result = configuration.load().migrate();
    log.info(
        "Database schema at version {} ({} migration(s) applied)",
        result.targetSchemaVersion,
        result.migrationsExecuted);
    return result.migrationsExecuted;
  }
}
