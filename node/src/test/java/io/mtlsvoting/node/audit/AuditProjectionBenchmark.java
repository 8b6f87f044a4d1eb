package io.mtlsvoting.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.etcd.CoordinationJson;
import io.mtlsvoting.node.etcd.OutboxEvent;
import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
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

  /** Audited events per tx and node (and journal rows, with the two outbox events). */
  static final int EVENTS_PER_TX_AND_NODE = 8;

  static final int ROWS_PER_TX_AND_NODE = 10;

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
      Journaler journaler = new Journaler(lease.dataSource(), serialization);
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

    long events = (long) txs * NODES * EVENTS_PER_TX_AND_NODE;
    System.out.printf(
        "AuditProjectionBenchmark %s: %d txs x %d nodes = %d events (%d audit rows) projected in"
            + " %.2f s = %.0f events/s; CPU per event: %s; CPU per decided tx over %d nodes: %s;"
            + " idle, %d writers, CPU per second: %s; load %s%n",
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
        idle.describe(IDLE.toSeconds(), 1e6, "ms"),
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

  /** The plan of the projection's poll query on the filled journal, as prepared (generic). */
  private static void printPollPlan(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ANALYZE event_journal");
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute(
          "PREPARE poll (bigint, int, text[]) AS SELECT ordering, persistence_id, sequence_nr,"
              + " serializer_id, manifest, CASE WHEN persistence_id LIKE ANY ($3) THEN payload END,"
              + " deleted FROM event_journal WHERE ordering > $1 ORDER BY ordering LIMIT $2");
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs =
          s.executeQuery(
              "EXPLAIN (ANALYZE, BUFFERS) EXECUTE poll(1000, 500, '{node-1|tx-%,node-1|reputation%}')")) {
        while (rs.next()) {
          plan.append("\n  ").append(rs.getString(1));
        }
      }
      System.out.printf(
          "AuditProjectionBenchmark poll query plan (%d journal rows):%s%n",
          scalar(ds, "SELECT count(*) FROM event_journal"), plan);
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
   * VM's own threads), and by the PostgreSQL server (postmaster, its live children and those
   * already reaped, from /proc; -1 where /proc is not available).
   */
  record Cpu(long javaNanos, long threadNanos, long postgresNanos) {

    static Cpu now(DataSource ds) throws SQLException {
      long java =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
              .getProcessCpuTime();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long threadNanos = 0;
      for (long id : threads.getAllThreadIds()) {
        threadNanos += Math.max(0, threads.getThreadCpuTime(id));
      }
      return new Cpu(java, threadNanos, postgres(ds));
    }

    Cpu minus(Cpu earlier) {
      return new Cpu(
          javaNanos - earlier.javaNanos,
          threadNanos - earlier.threadNanos,
          postgresNanos < 0 || earlier.postgresNanos < 0
              ? -1
              : postgresNanos - earlier.postgresNanos);
    }

    /** "java J (threads T, JIT+GC V) + postgres P = S", each divided by {@code per}. */
    String describe(double per, double unitNanos, String unit) {
      String f = "%.0f " + unit;
      String java = f.formatted(javaNanos / unitNanos / per);
      String threads = f.formatted(threadNanos / unitNanos / per);
      String vm = f.formatted((javaNanos - threadNanos) / unitNanos / per);
      String pg = postgresNanos < 0 ? "n/a" : f.formatted(postgresNanos / unitNanos / per);
      String sum =
          postgresNanos < 0 ? "n/a" : f.formatted((javaNanos + postgresNanos) / unitNanos / per);
      return "java %s (threads %s, JIT+GC %s) + postgres %s = %s"
          .formatted(java, threads, vm, pg, sum);
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

  /** Writes the five nodes' journal rows of closed-loop txs straight into event_journal. */
  static final class Journaler {
    private final DataSource ds;
    private final Serialization serialization;
    private final Random random = new Random(42);
    private final long[] outboxSeq = new long[NODES];

    Journaler(DataSource ds, Serialization serialization) {
      this.ds = ds;
      this.serialization = serialization;
    }

    /** One tx: each node's journal rows in order, every node's cursor advancing independently. */
    private static final class Tx {
      final List<Object> events = new ArrayList<>();
      final String txId;
      final int[] cursor = new int[NODES];
      final int[] sequenceNr = new int[NODES];
      int left = NODES * ROWS_PER_TX_AND_NODE;

      Tx(String txId, long value) {
        this.txId = txId;
        long now = System.currentTimeMillis();
        List<Vote> votes = new ArrayList<>();
        for (int node = 1; node <= NODES; node++) {
          byte[] signature = new byte[64];
          signature[0] = (byte) node;
          signature[1] = (byte) txId.hashCode();
          votes.add(new Vote(txId, node, value, now + node, signature));
        }
        QuorumCertificate qc =
            new QuorumCertificate("bench", txId, value, votes.subList(0, NODES - 1));
        events.add(new TallyEvent.Opened(txId, now, now + 30_000));
        votes.forEach(v -> events.add(new TallyEvent.VoteCounted(txId, v)));
        events.add(new TallyEvent.ThresholdReached(txId, qc));
        events.add(new OutboxEvent.CommitQueued(txId, CoordinationJson.certificate(qc), value));
        events.add(new TallyEvent.Committed(txId, value));
        events.add(new OutboxEvent.CommitDone(txId, OutboxEvent.Result.COMMITTED));
      }
    }

    void journal(String prefix, int txs) throws SQLException {
      List<Tx> active = new ArrayList<>();
      int started = 0;
      try (Connection c = ds.getConnection();
          PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO event_journal (persistence_id, sequence_nr, writer,"
                      + " write_timestamp, serializer_id, manifest, payload)"
                      + " VALUES (?, ?, 'bench', ?, ?, ?, ?)")) {
        c.setAutoCommit(false);
        int pending = 0;
        while (started < txs || !active.isEmpty()) {
          while (active.size() < IN_FLIGHT && started < txs) {
            active.add(new Tx(prefix + "-" + started, started));
            started++;
          }
          Tx tx = active.get(random.nextInt(active.size()));
          int node;
          do {
            node = random.nextInt(NODES);
          } while (tx.cursor[node] == ROWS_PER_TX_AND_NODE);
          Object event = tx.events.get(tx.cursor[node]++);
          if (--tx.left == 0) {
            active.remove(tx);
          }
          var serializer = serialization.findSerializerFor(event);
          if (event instanceof OutboxEvent) {
            ps.setString(1, "node-" + (node + 1) + "|etcd-outbox");
            ps.setLong(2, ++outboxSeq[node]);
          } else {
            ps.setString(1, "node-" + (node + 1) + "|tx-" + tx.txId);
            ps.setLong(2, ++tx.sequenceNr[node]);
          }
          ps.setLong(3, System.currentTimeMillis());
          ps.setInt(4, serializer.identifier());
          ps.setString(5, Serializers.manifestFor(serializer, event));
          ps.setBytes(6, serialization.serialize(event).get());
          ps.addBatch();
          if (++pending == 1000) {
            ps.executeBatch();
            c.commit();
            pending = 0;
          }
        }
        ps.executeBatch();
        c.commit();
      }
    }
  }
}
