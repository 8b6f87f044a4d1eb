package io.mtlsvoting.persistence.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JVM-wide registry of HikariCP pools keyed by {@link DbSettings}: the journal, the snapshot store
 * and the audit writer of one node (or of several nodes in one test JVM) share one pool per
 * database, and the pool closes when its last user releases it.
 */
public final class DataSourceRegistry {

  private static final Logger log = LoggerFactory.getLogger(DataSourceRegistry.class);
  private static final Map<DbSettings, Entry> pools = new HashMap<>();
  private static final AtomicInteger poolCounter = new AtomicInteger();

  private DataSourceRegistry() {}

  /** A counted reference to a shared pool; {@link #close()} releases it once. */
  public static final class Lease implements AutoCloseable {
    private final DbSettings settings;
    private final HikariDataSource dataSource;
    private final AtomicBoolean released = new AtomicBoolean();

    private Lease(DbSettings settings, HikariDataSource dataSource) {
      this.settings = settings;
      this.dataSource = dataSource;
    }

    /** The pooled data source; valid until this lease is closed. */
    public DataSource dataSource() {
      return dataSource;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        release(settings);
      }
    }
  }

  private static final class Entry {
    final HikariDataSource dataSource;
    int references;

    Entry(HikariDataSource dataSource) {
      this.dataSource = dataSource;
    }
  }

  /** Returns a lease on the pool for {@code settings}, creating the pool on first use. */
  public static synchronized Lease acquire(DbSettings settings) {
    Objects.requireNonNull(settings, "settings");
    Entry entry = pools.computeIfAbsent(settings, s -> new Entry(createPool(s)));
    entry.references++;
    return new Lease(settings, entry.dataSource);
  }

  /** Number of open pools, for tests and diagnostics. */
  public static synchronized int openPools() {
    return pools.size();
  }

  private static synchronized void release(DbSettings settings) {
    Entry entry = pools.get(settings);
    if (entry == null) {
      return;
    }
    if (--entry.references == 0) {
      pools.remove(settings);
      log.info("Closing connection pool {} for {}", entry.dataSource.getPoolName(), settings.url());
      entry.dataSource.close();
    }
  }

  private static HikariDataSource createPool(DbSettings s) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("mtls-voting-db-" + poolCounter.incrementAndGet());
    hc.setJdbcUrl(s.url());
    if (!s.user().isEmpty()) {
      hc.setUsername(s.user());
    }
    if (!s.password().isEmpty()) {
      hc.setPassword(s.password());
    }
    if (!s.schema().isEmpty()) {
      hc.setSchema(s.schema());
    }
    hc.setMaximumPoolSize(s.poolSize());
    hc.setMinimumIdle(Math.min(2, s.poolSize()));
    hc.setAutoCommit(true);
    // A database that is down fails getConnection (and so every write) within this time.
    long timeoutMillis = s.connectionTimeout().toMillis();
    hc.setConnectionTimeout(timeoutMillis);
    hc.setValidationTimeout(Math.max(250, timeoutMillis / 2));
    hc.addDataSourceProperty(
        "connectTimeout", Long.toString(Math.max(1, (timeoutMillis + 999) / 1000)));
    // Turns JDBC batches into multi-row INSERTs: one round trip per journal batch.
    hc.addDataSourceProperty("reWriteBatchedInserts", "true");
    // Fail fast at start-up only if the URL is malformed; an unreachable server is retried.
    hc.setInitializationFailTimeout(-1);
    log.info("Opening connection pool {} for {}", hc.getPoolName(), s);
    return new HikariDataSource(hc);
  }
}
