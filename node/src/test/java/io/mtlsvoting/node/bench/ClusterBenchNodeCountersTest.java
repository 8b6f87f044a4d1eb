package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Propagation from the nodes' counters when the driver cannot see votes (pure logic: a driver that
 * decides every cast at once and serves counters from a script).
 */
class ClusterBenchNodeCountersTest {

  /** Decides each cast at once; its counters come from {@code reads}, one per call. */
  private static final class ScriptedDriver extends InstantDriver {
    private final List<Map<String, Long>> reads;
    private int calls;

    ScriptedDriver(BenchRecorder recorder, List<Map<String, Long>> reads) {
      super(recorder);
      this.reads = reads;
    }

    @Override
    public boolean observesVotes() {
      return false;
    }

    @Override
    public Map<String, Long> nodeCounters() {
      Map<String, Long> read = reads.get(calls++);
      if (read == null) {
        throw new IllegalStateException("node 2: no answer to info");
      }
      return read;
    }
  }

  private static BenchReport run(List<Map<String, Long>> reads) throws InterruptedException {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    BenchOptions options =
        new BenchOptions(
            4,
            0,
            2,
            "scripted-",
            false,
            Duration.ofMillis(100),
            false,
            Optional.empty(),
            BenchOptions.MemoryCheck.OFF,
            Duration.ofSeconds(30),
            null,
            0,
            0);
    return new ClusterBench(new ScriptedDriver(recorder, reads), recorder, options).run();
  }

  @Test
  void theRunsShareOfTheNodesCountersIsItsPropagation() throws Exception {
    BenchReport report =
        run(
            List.of(
                Map.of("vote-propagation.le-2ms", 10L),
                Map.of("vote-propagation.le-2ms", 16L, "vote-propagation.le-20ms", 2L)));
    assertEquals(4, report.decidedTxs(), report.toText());
    assertEquals(8, report.latency().propagation().samples(), report.toText());
    assertEquals(20, report.latency().propagation().maxMs(), report.toText());
    assertTrue(report.notes().toString().contains("counted by the nodes"), report.toText());
  }

  @Test
  void countersThatCannotBeReadAfterTheLoadCostTheFigureNotTheReport() throws Exception {
    java.util.ArrayList<Map<String, Long>> reads = new java.util.ArrayList<>();
    reads.add(Map.of("vote-propagation.le-2ms", 10L));
    reads.add(null);
    BenchReport report = run(reads);
    assertEquals(4, report.decidedTxs(), report.toText());
    assertNull(report.latency().propagation(), report.toText());
    assertTrue(
        report.notes().toString().contains("could not be read: node 2: no answer to info"),
        report.toText());
    assertTrue(report.toText().contains("vote propagation   not measured"), report.toText());
  }
}
