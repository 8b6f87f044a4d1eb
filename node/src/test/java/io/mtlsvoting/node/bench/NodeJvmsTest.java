package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.util.JvmUsage;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeJvmsTest {

  private static Map<String, Long> counters(long cpuMs, long jitMs) {
    return Map.of(JvmUsage.CPU_COUNTER, cpuMs, JvmUsage.JIT_COUNTER, jitMs, "votes.counted", 7L);
  }

  @Test
  void whatTheNodesSpentIsTheDifferenceOfTheirTotalsInSeconds() {
    NodeJvms jvms = NodeJvms.between(counters(10_000, 4_000), counters(55_500, 6_250), 5);
    assertEquals(new NodeJvms(5, 45.5, 2.25), jvms);
  }

  @Test
  void nodesThatDoNotSayGiveNoFigure() {
    assertNull(NodeJvms.between(Map.of(), counters(1, 1), 5));
    assertNull(NodeJvms.between(counters(1, 1), Map.of("votes.counted", 9L), 5));
    assertNull(
        NodeJvms.between(
            counters(1, 1), Map.of(JvmUsage.CPU_COUNTER, 9L), 5)); // JIT time missing after
  }

  @Test
  void aNodeRestartedDuringTheRunCountsNothingNegative() {
    // A restarted node's totals start again from zero: the sum may fall.
    NodeJvms jvms = NodeJvms.between(counters(90_000, 8_000), counters(30_000, 2_000), 5);
    assertEquals(new NodeJvms(5, 0, 0), jvms);
  }

  @Test
  void thisJvmSaysWhatItSpent() {
    // The node's info reads these: on HotSpot both are known and grow from zero.
    assertTrue(JvmUsage.cpuNanos() > 0);
    assertTrue(JvmUsage.jitMillis() >= 0);
  }
}
