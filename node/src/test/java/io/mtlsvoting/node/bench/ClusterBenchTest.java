package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the benchmark on three in-process nodes: every tx is decided and the report is complete. */
class ClusterBenchTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @Test
  void fiftyTxsOnThreeNodesAreAllDecidedAndReported() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    try (InProcessCluster cluster =
        InProcessCluster.start(
            3,
            2,
            Optional.empty(),
            Optional.of(postgres.jdbcUrl()),
            id -> List.of(recorder.listener(id)))) {
      BenchOptions options =
          new BenchOptions(
              50,
              0,
              8,
              "bench-test-" + System.nanoTime() + "-",
              true,
              Duration.ofMillis(300),
              Optional.empty(),
              true,
              Duration.ofSeconds(120),
              null);
      BenchReport report = new ClusterBench(cluster, recorder, options).run();
      assertEquals(50, report.decidedTxs(), report.toText());
      assertEquals(0, report.undecidedTxs(), report.toText());
      assertNotNull(report.ceiling());
      assertEquals(2, report.memory().size());
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
      assertTrue(json.get("latency").get("decision").get("samples").asLong() >= 150);
      assertTrue(report.toText().contains("decided tx/s"));
    }
  }
}
