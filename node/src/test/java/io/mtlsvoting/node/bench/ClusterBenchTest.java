package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the benchmark on in-process nodes: every tx is decided and the report is complete, also when
 * one node double-votes in a fraction of the txs.
 */
class ClusterBenchTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();

  /** Three nodes, threshold 2, without etcd, reporting to {@code recorder}. */
  private static InProcessCluster threeNodes(BenchRecorder recorder, Map<String, String> overrides)
      throws Exception {
    return threeNodes(recorder, Optional.empty(), overrides);
  }

  /** Three nodes, threshold 2, committing through {@code etcd} when given. */
  private static InProcessCluster threeNodes(
      BenchRecorder recorder, Optional<String> etcd, Map<String, String> overrides)
      throws Exception {
    return InProcessCluster.start(
        3,
        2,
        etcd,
        Optional.of(postgres.jdbcUrl()),
        Set.of(),
        id -> List.of(recorder.listener(id)),
        overrides);
  }

  private static BenchOptions closedLoop(
      int txs,
      int concurrency,
      boolean ceiling,
      BenchOptions.MemoryCheck memory,
      StringWriter progress) {
    return new BenchOptions(
        txs,
        0,
        concurrency,
        "bench-test-" + System.nanoTime() + "-",
        ceiling,
        Duration.ofMillis(300),
        false,
        Optional.empty(),
        memory,
        Duration.ofSeconds(120),
        new PrintWriter(progress, true),
        0,
        0);
  }

  @Test
  void withEtcdEveryTxIsCommittedAndTheCommitAfterEachDecisionIsTimed() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    try (InProcessCluster cluster =
        threeNodes(recorder, Optional.of(etcd.endpoint().toString()), Map.of())) {
      StringWriter progress = new StringWriter();
      BenchOptions options = closedLoop(30, 8, false, BenchOptions.MemoryCheck.OFF, progress);
      BenchReport report = new ClusterBench(cluster, recorder, options).run();
      assertEquals(30, report.committedTxs(), report.toText());
      JsonNode latency = new ObjectMapper().readTree(report.toJson()).get("latency");
      long commits = latency.get("commit").get("samples").asLong();
      long timed = latency.get("committedAfterDecision").get("samples").asLong();
      // Every node's COMMITTED follows its own THRESHOLD_REACHED, seen by the same observer.
      assertEquals(3 * 30, commits, latency.toString());
      assertEquals(commits, timed, latency.toString());
      assertTrue(
          latency.get("committedAfterDecision").get("p50Ms").asDouble()
              <= latency.get("commit").get("p50Ms").asDouble(),
          latency.toString());
      assertTrue(report.toText().contains("decided->COMMITTED"), report.toText());
    }
  }

  @Test
  void fiftyTxsOnThreeNodesAreAllDecidedAndReported() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    try (InProcessCluster cluster = threeNodes(recorder, Map.of())) {
      StringWriter progress = new StringWriter();
      BenchOptions options = closedLoop(50, 8, true, BenchOptions.MemoryCheck.UNDER_LOAD, progress);
      ClusterBench bench = new ClusterBench(cluster, recorder, options);
      bench.warmUp(10, Duration.ofSeconds(3));
      // The nodes run in this JVM: after the warm-up the bench waits (here at most 3 s) for its
      // JIT.
      assertTrue(progress.toString().contains("waiting for the JIT"), progress.toString());
      assertTrue(
          progress.toString().contains("the JIT settled after")
              || progress.toString().contains("the JIT was still compiling after 3 s"),
          progress.toString());
      BenchReport report = bench.run();
      // The warm-up txs were decided too, but only the measured 50 are reported.
      assertEquals(50, report.decidedTxs(), report.toText());
      assertEquals(0, report.undecidedTxs(), report.toText());
      assertNotNull(report.ceiling());
      // One heap point at every tenth of the 50 txs: after 5, 10, ..., 45 completed, then 50.
      assertEquals(
          List.of("10%", "20%", "30%", "40%", "50%", "60%", "70%", "80%", "90%", "100%"),
          report.memory().stream().map(BenchReport.MemoryPoint::at).toList(),
          report.toText());
      for (int i = 0; i < 9; i++) {
        assertTrue(report.memory().get(i).txsDone() >= 5L * (i + 1), report.toText());
      }
      assertEquals(50, report.memory().get(9).txsDone());
      // Decided tallies stay in memory for passivate-after (10 s) after their last message.
      assertTrue(report.memory().get(9).liveTallies() > 0, report.toText());
      assertTrue(report.toText().contains("tallies in memory"), report.toText());
      JsonNode json = new ObjectMapper().readTree(report.toJson());
      for (String field :
          List.of(
              "setup",
              "decidedTxPerS",
              "signedVotesPerS",
              "latency",
              "ceiling",
              "verificationBoundTxPerS",
              "achievedFractionOfCeiling",
              "machine")) {
        assertTrue(json.has(field), "missing " + field + " in " + json);
      }
      for (String lat : List.of("propagation", "decision", "decisionAll", "commit")) {
        assertTrue(json.get("latency").has(lat), lat);
      }
      // Where the time went: each node's own vote of each measured tx was journaled at that node.
      JsonNode latency = json.get("latency");
      assertEquals(
          3 * 50, latency.get("ownVoteJournaled").get("samples").asLong(), json.toString());
      long wire = latency.get("wire").get("samples").asLong();
      assertTrue(
          wire > 0 && wire <= latency.get("propagation").get("samples").asLong(), json.toString());
      long written = latency.get("decisionJournaled").get("samples").asLong();
      assertTrue(
          written > 0 && written <= latency.get("decision").get("samples").asLong(),
          json.toString());
      assertTrue(report.toText().contains("stages (ms)"), report.toText());
      assertTrue(report.toText().contains("decision journaled"), report.toText());
      assertTrue(json.get("latency").get("decision").get("samples").asLong() >= 150);
      assertTrue(report.toText().contains("decided tx/s"));
      // The nodes run in this JVM, so the report says how long the JIT compiled during the run.
      assertTrue(json.get("machine").get("jitSeconds").asDouble() >= 0, json.toString());
      assertTrue(json.get("machine").get("compilerThreads").asInt() >= 1, json.toString());
      assertTrue(report.toText().contains(" compiler threads"), report.toText());
      assertTrue(report.toText().contains("JIT: "), report.toText());
      // ... and has no separate node JVMs to report.
      assertTrue(json.get("machine").get("nodes").isNull(), json.toString());
      assertFalse(report.toText().contains("nodes: their"), report.toText());
      // Where the CPU went: this JVM ran the nodes; the machine (Linux) also ran PostgreSQL.
      JsonNode cpu = json.get("machine").get("cpu");
      assertTrue(cpu.get("jvmCores").asDouble() > 0, cpu.toString());
      assertTrue(cpu.get("machineBusyCores").asDouble() > 0, cpu.toString());
      assertTrue(report.toText().contains("cpu: machine "), report.toText());
      assertTrue(report.toText().contains("ms of CPU (this JVM "), report.toText());
    }
  }

  @Test
  void theCommitFloorIsMeasuredOnTheNodesOwnDatabaseBeforeTheLoad() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    try (InProcessCluster cluster = threeNodes(recorder, Map.of())) {
      // The default options measure it.
      BenchReport report =
          new ClusterBench(cluster, recorder, BenchOptions.closedLoop(10, 4)).run();
      CommitFloor.Result floor = report.commitFloor();
      assertNotNull(floor, report.toText());
      assertEquals(ClusterBench.FLOOR_COMMITS, floor.latency().samples(), report.toText());
      // The nodes' database is durable, as the nodes run it.
      assertTrue(floor.durable(), report.toText());
      assertTrue(report.toText().contains("floor: one database commit (one row) p50 "));
      // Its table is gone and the nodes decided every tx after it.
      assertEquals(10, report.decidedTxs(), report.toText());
      assertNull(postgres.queryString("SELECT to_regclass('" + CommitFloor.TABLE + "')"));
    }
  }

  /**
   * n=4, t=3: node 4 double-votes in every 4th of 12 txs. The three honest nodes decide all 12 and
   * record the double vote (node 4 is banned at the first detection, so later ones are ignored).
   */
  @Test
  void aByzantineFractionIsDetectedAndTheHonestNodesStillDecideEveryTx() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3, 4));
    try (InProcessCluster cluster =
        InProcessCluster.start(
            4,
            3,
            Optional.empty(),
            Optional.of(postgres.jdbcUrl()),
            Set.of(4),
            id -> List.of(recorder.listener(id)))) {
      BenchOptions options =
          new BenchOptions(
                  12,
                  0,
                  4,
                  "bench-byz-" + System.nanoTime() + "-",
                  false,
                  Duration.ofMillis(300),
                  false,
                  Optional.empty(),
                  BenchOptions.MemoryCheck.OFF,
                  Duration.ofSeconds(120),
                  null,
                  0,
                  0)
              .withByzantine(0.25, 4);
      BenchReport report = new ClusterBench(cluster, recorder, options).run();
      assertEquals(12, report.decidedTxs(), report.toText());
      assertEquals(0, report.undecidedTxs(), report.toText());
      assertEquals(0, report.abortedTxs(), report.toText());
      assertEquals(0, report.castErrors(), report.toText());
      BenchReport.Byzantine byz = report.byzantine();
      assertNotNull(byz, report.toText());
      assertEquals(4, byz.node());
      assertEquals(4, byz.every());
      assertEquals(3, byz.attackedTxs(), report.toText());
      assertEquals(3, byz.attacksSent(), report.toText());
      assertEquals(0, byz.attackErrors(), report.toText());
      assertTrue(byz.detections() > 0, report.toText());
      assertTrue(byz.txsWithDetection() >= 1, report.toText());
      // Decisions are counted at the three honest nodes only.
      assertEquals(36, report.latency().decision().samples(), report.toText());
      assertTrue(report.toText().contains("DOUBLE_VOTING recorded"), report.toText());
      JsonNode json = new ObjectMapper().readTree(report.toJson());
      assertEquals(0.25, json.get("byzantine").get("fraction").asDouble());
      assertTrue(json.get("byzantine").get("detections").asLong() > 0, json.toString());
    }
  }

  /**
   * With settled heap points the load pauses at every tenth until the txs started have completed
   * and every tally has passivated (here after 300 ms idle), so each settled point sees no tally in
   * memory; the run still decides every tx.
   */
  @Test
  void settledHeapPointsPauseTheLoadUntilNoTallyIsInMemory() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    try (InProcessCluster cluster =
        threeNodes(recorder, Map.of("mtls-voting.tally.passivate-after", "300ms"))) {
      StringWriter progress = new StringWriter();
      BenchOptions options = closedLoop(20, 4, false, BenchOptions.MemoryCheck.SETTLED, progress);
      BenchReport report = new ClusterBench(cluster, recorder, options).run();
      assertEquals(20, report.decidedTxs(), report.toText());
      assertEquals(0, report.undecidedTxs(), report.toText());
      List<BenchReport.MemoryPoint> memory = report.memory();
      // Two points at each tenth: under load, then settled.
      assertEquals(20, memory.size(), report.toText());
      for (int i = 0; i < 10; i++) {
        BenchReport.MemoryPoint loaded = memory.get(2 * i);
        BenchReport.MemoryPoint settled = memory.get(2 * i + 1);
        assertEquals((i + 1) * 10 + "%", loaded.at(), report.toText());
        assertEquals(loaded.at(), settled.at(), report.toText());
        assertFalse(loaded.settled(), report.toText());
        assertTrue(settled.settled(), report.toText());
        assertEquals(0, settled.liveTallies(), report.toText());
        // Nothing starts while the load is paused: the settled point has every tx started done.
        assertTrue(settled.txsDone() >= loaded.txsDone(), report.toText());
      }
      assertEquals(20, memory.get(19).txsDone(), report.toText());
      String text = report.toText();
      assertTrue(text.contains("load paused until the tallies passivated"), text);
      assertTrue(text.contains("memory: load paused, 10% -> 100%: "), text);
      assertTrue(text.contains("memory: under load, 10% -> 100%: "), text);
      assertTrue(text.contains("the settled heap points paused the load for"), text);
      assertTrue(progress.toString().contains("(load paused until the tallies passivated)"));
      JsonNode json = new ObjectMapper().readTree(report.toJson());
      assertTrue(json.get("memory").get(1).get("settled").asBoolean(), json.toString());
    }
  }
}
