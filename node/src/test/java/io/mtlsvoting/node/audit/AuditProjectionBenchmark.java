package io.mtlsvoting.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cost of the audit projection, not a correctness test. Five nodes' journals share one database as
 * in the in-process bench: every decided tx leaves at each node Opened, five VoteCounted,
 * ThresholdReached and Committed (the 8 audited events) and the etcd outbox's CommitQueued and
 * CommitDone, interleaved as by a closed loop with {@code audit.bench.inflight} txs in flight. The
 * events are journaled first (with JDBC, not counted), then the five nodes' audit writers project
 * them, with the configured batch size (catching up) and again with small batches (about what a
 * writer polling every 100 ms reads from the in-process bench); prints projected events/s and the
 * CPU per event of this JVM and of PostgreSQL. Run with {@code mvn -B -ntp -pl node -am verify
 * -Dtest=AuditProjectionBenchmark -Dsurefire.excludedGroups=none
 * -Dsurefire.failIfNoSpecifiedTests=false} (options {@code -Daudit.bench.txs=2000
 * -Daudit.bench.warmup=1000 -Daudit.bench.inflight=64}). CPU time is the steadier figure on a
 * shared machine; throughput follows the load.
 */
@Tag("benchmark")
class AuditProjectionBenchmark {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final int NODES = 5;
  static final int TXS = Integer.getInteger("audit.bench.txs", 2000);
  static final int WARM_UP_TXS = Integer.getInteger("audit.bench.warmup", 1000);
  static final int IN_FLIGHT = Integer.getInteger("audit.bench.inflight", 64);

  /** Audited events per tx and node (the journal rows are 10, with the two outbox events). */
  static final int EVENTS_PER_TX_AND_NODE = 8;

  static final Duration IDLE = Duration.ofSeconds(5);

  static final int SMALL_BATCH = Integer.getInteger("audit.bench.small-batch", 100);

  private static final String CONFIG =
      """
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      pekko.actor.serialization-bindings {
        "io.mtlsvoting.node.tally.TallySerializable" = jackson-cbor
        "io.mtlsvoting.node.etcd.EtcdSerializable" = jackson-cbor
      }
      """;

  @Test
  void projectsFiveNodesJournals() throws Exception {
    Config config =
        ConfigFactory.load(ConfigFactory.parseString(CONFIG).withFallback(postgres.dbConfig()));
    ActorTestKit kit = ActorTestKit.create("audit-bench", config);
    try (DataSourceRegistry.Lease lease =
        DataSourceRegistry.acquire(DbSettings.fromConfig(config))) {
      Serialization serialization = SerializationExtension.get(kit.system().classicSystem());
      ClosedLoopJournal journaler =
          new ClosedLoopJournal(
              lease.dataSource(),
              serialization,
              NODES,
              IN_FLIGHT,
              0,
              42,
              System.currentTimeMillis());
      AuditSettings settings = AuditSettings.fromConfig(config);

      journaler.journal("warm", WARM_UP_TXS);
      project(kit, lease.dataSource(), settings, "warm-up", WARM_UP_TXS);
      journaler.journal("bench", TXS);
      project(kit, lease.dataSource(), settings, "measured", TXS);
      // A live writer polling every 100 ms reads what came since: about 115 rows at 23 tx/s.
      AuditSettings small =
          new AuditSettings(
              settings.pollInterval(), SMALL_BATCH, settings.maxBackoff(), settings.gapMinWait());
      journaler.journal("small", TXS);
      project(kit, lease.dataSource(), small, "measured, batch-size " + SMALL_BATCH, TXS);

      printPollPlan(lease.dataSource());
      long counted = scalar(lease.dataSource(), "SELECT sum(vote_count) FROM transactions");
      assertEquals((long) NODES * NODES * (WARM_UP_TXS + 2 * TXS), counted);
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Starts the five writers, waits until they reach the journal's end, stops them, prints. */
  private static void project(
      ActorTestKit kit, DataSource ds, AuditSettings settings, String label, int txs)
      throws Exception {
    long end = scalar(ds, "SELECT max(ordering) FROM event_journal");
    Cpu before = Cpu.now(ds);
    long start = System.nanoTime();
    List<ActorRef<AuditWriter.Command>> writers = new ArrayList<>();
    for (int id = 1; id <= NODES; id++) {
      writers.add(
          kit.spawn(
              AuditWriter.create(id, settings, ds, ProjectionFaults.NONE),
              "audit-" + id + "-" + label.replaceAll("[^A-Za-z0-9]", "-")));
    }
    long rows = 0;
    for (ActorRef<AuditWriter.Command> writer : writers) {
      rows += awaitWatermark(kit, writer, end);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Cpu used = Cpu.now(ds).minus(before);
    // Caught up, the writers poll an idle journal.
    Cpu idleStart = Cpu.now(ds);
    Thread.sleep(IDLE.toMillis());
    Cpu idle = Cpu.now(ds).minus(idleStart);
    writers.forEach(kit::stop);
    // The same time without writers: what the JVM and PostgreSQL use anyway.
    Cpu baselineStart = Cpu.now(ds);
    Thread.sleep(IDLE.toMillis());
    Cpu baseline = Cpu.now(ds).minus(baselineStart);
    double polls = (double) NODES * IDLE.toMillis() / settings.pollInterval().toMillis();

    long events = (long) txs * NODES * EVENTS_PER_TX_AND_NODE;
    System.out.printf(
        "AuditProjectionBenchmark %s: %d txs x %d nodes = %d events (%d audit rows) projected in"
            + " %.2f s = %.0f events/s; CPU per event: %s; CPU per decided tx over %d nodes: %s;"
            + " idle poll (%d writers every %d ms, less the same time without them): java"
            + " threads %.0f us + postgres %s; load %s%n",
        label,
        txs,
        NODES,
        events,
        rows,
        seconds,
        events / seconds,
        used.describe(events, 1e3, "us"),
        NODES,
        used.postgresNanos < 0
            ? "n/a"
            : "%.2f ms".formatted((used.javaNanos + used.postgresNanos) / 1e6 / txs),
        NODES,
        settings.pollInterval().toMillis(),
        (idle.threadNanos - baseline.threadNanos) / 1e3 / polls,
        idle.postgresNanos < 0 || baseline.postgresNanos < 0
            ? "n/a"
            : "%.0f us".formatted((idle.postgresNanos - baseline.postgresNanos) / 1e3 / polls),
        loadAverage());
  }

  /** Polls the writer's status until its watermark reaches {@code end}; its rows projected. */
  private static long awaitWatermark(
      ActorTestKit kit, ActorRef<AuditWriter.Command> writer, long end)
      throws InterruptedException {
    TestProbe<AuditWriter.Status> probe = kit.createTestProbe();
    long deadline = System.nanoTime() + Duration.ofMinutes(20).toNanos();
    while (true) {
      writer.tell(new AuditWriter.GetStatus(probe.getRef()));
      AuditWriter.Status s = probe.receiveMessage(Duration.ofSeconds(30));
      if (s.watermark() >= end) {
        return s.rowsProjected();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("projection stuck at " + s);
      }
      Thread.sleep(10);
    }
  }

  /**
   * The plans of the projection's poll and gap queries (as JournalReader sends them) on the filled
   * journal, generic as when prepared: index scans on the ordering key.
   */
  private static void printPollPlan(DataSource ds) throws SQLException {
    String select =
        "SELECT ordering, wanted, CASE WHEN wanted THEN payload END FROM (SELECT ordering,"
            + " payload, persistence_id LIKE ANY ($1) AS wanted FROM event_journal";
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ANALYZE event_journal");
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute(
          "PREPARE poll (text[], bigint, int) AS "
              + select
              + " WHERE ordering > $2 ORDER BY ordering LIMIT $3) j ORDER BY ordering");
      s.execute(
          "PREPARE gaps (text[], bigint[]) AS "
              + select
              + " WHERE ordering = ANY ($2)) j ORDER BY ordering");
      long rows = scalar(ds, "SELECT count(*) FROM event_journal");
      String patterns = "'{node-1|tx-%,node-1|reputation%}'";
      for (String execute :
          List.of(
              "poll(" + patterns + ", " + rows / 2 + ", 500)",
              "gaps(" + patterns + ", '{" + rows / 3 + "," + rows / 2 + "}')")) {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE " + execute)) {
          while (rs.next()) {
            plan.append("\n  ").append(rs.getString(1));
          }
        }
        System.out.printf(
            "AuditProjectionBenchmark plan of %s (%d journal rows):%s%n", execute, rows, plan);
      }
    }
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return String.format(
          "%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  static long scalar(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * CPU used so far by this JVM, by its live Java threads (the rest is JIT compilation, GC and the
   * VM's own threads), the bytes those threads allocated, and the CPU of the PostgreSQL server
   * (postmaster, its live children and those already reaped, from /proc; -1 where /proc is not
   * available).
   */
  record Cpu(
      long javaNanos,
      long threadNanos,
      long allocatedBytes,
      long postgresNanos,
      Map<Long, long[]> threads) {

    static Cpu now(DataSource ds) throws SQLException {
      long java =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime();
      var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
      long[] ids = mx.getAllThreadIds();
      long[] allocated = mx.getThreadAllocatedBytes(ids);
      Map<Long, long[]> threads = new HashMap<>();
      for (int i = 0; i < ids.length; i++) {
        threads.put(ids[i], new long[] {mx.getThreadCpuTime(ids[i]), allocated[i]});
      }
      return new Cpu(java, 0, 0, postgres(ds), threads);
    }

    /**
     * What was used since {@code earlier}, thread by thread: a thread started since counts whole,
     * one that ended since is missed (pool threads live long).
     */
    Cpu minus(Cpu earlier) {
      long cpu = 0;
      long allocated = 0;
      for (Map.Entry<Long, long[]> t : threads.entrySet()) {
        long[] before = earlier.threads.getOrDefault(t.getKey(), new long[] {0, 0});
        cpu += Math.max(0, t.getValue()[0] - Math.max(0, before[0]));
        allocated += Math.max(0, t.getValue()[1] - Math.max(0, before[1]));
      }
      return new Cpu(
          javaNanos - earlier.javaNanos,
          cpu,
          allocated,
          postgresNanos < 0 || earlier.postgresNanos < 0
              ? -1
              : postgresNanos - earlier.postgresNanos,
          Map.of());
    }

    /** "java J (threads T, JIT+GC V) + postgres P = S, A KiB allocated", each per {@code per}. */
    String describe(double per, double unitNanos, String unit) {
      String f = "%.0f " + unit;
      String java = f.formatted(javaNanos / unitNanos / per);
      String threads = f.formatted(threadNanos / unitNanos / per);
      String vm = f.formatted((javaNanos - threadNanos) / unitNanos / per);
      String pg = postgresNanos < 0 ? "n/a" : f.formatted(postgresNanos / unitNanos / per);
      String sum =
          postgresNanos < 0 ? "n/a" : f.formatted((javaNanos + postgresNanos) / unitNanos / per);
      return "java %s (threads %s, JIT+GC %s) + postgres %s = %s, %.1f KiB allocated"
          .formatted(java, threads, vm, pg, sum, allocatedBytes / 1024.0 / per);
    }

    private static long postgres(DataSource ds) throws SQLException {
      String dataDir;
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SHOW data_directory")) {
        rs.next();
        dataDir = rs.getString(1);
      }
      try {
        String pid = Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).trim();
        // utime, stime, cutime, cstime (fields 14-17) of the postmaster: its reaped children too.
        long ticks = ticks(pid, true);
        try (var procs = Files.list(Path.of("/proc"))) {
          for (Path p : procs.toList()) {
            String name = p.getFileName().toString();
            if (name.chars().allMatch(Character::isDigit) && pid.equals(parent(name))) {
              ticks += ticks(name, false);
            }
          }
        }
        return ticks * 10_000_000L; // USER_HZ = 100
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    private static String[] stat(String pid) throws IOException {
      String s = Files.readString(Path.of("/proc", pid, "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      return s.substring(s.lastIndexOf(')') + 2).split(" ");
    }

    private static String parent(String pid) {
      try {
        return stat(pid)[1];
      } catch (IOException e) {
        return "";
      }
    }

    private static long ticks(String pid, boolean withChildren) {
      try {
        String[] f = stat(pid); // f[0] is field 3 (state)
        long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        return withChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
      } catch (IOException e) {
        return 0; // exited meanwhile
      }
    }
  }
}
