package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The heap's change from the first to the last point, told apart under load and settled. */
class BenchReportMemoryTest {
  private static final long MIB = 1024 * 1024;

  private static BenchReport.MemoryPoint point(String at, long mib, boolean settled) {
    return new BenchReport.MemoryPoint(at, 0, mib * MIB, settled ? 0 : 100, settled);
  }

  @Test
  void theChangeIsFromTheFirstToTheLastPointOfEachKind() {
    List<BenchReport.MemoryPoint> memory =
        List.of(
            point("10%", 70, false),
            point("10%", 40, true),
            point("50%", 90, false),
            point("50%", 41, true),
            point("100%", 77, false),
            point("100%", 42, true));
    assertEquals(10.0, BenchReport.heapChangePercent(memory, false).orElseThrow(), 1e-9);
    assertEquals(5.0, BenchReport.heapChangePercent(memory, true).orElseThrow(), 1e-9);
  }

  @Test
  void aShrinkingHeapIsANegativeChange() {
    List<BenchReport.MemoryPoint> memory =
        List.of(point("10%", 80, false), point("100%", 60, false));
    assertEquals(-25.0, BenchReport.heapChangePercent(memory, false).orElseThrow(), 1e-9);
  }

  @Test
  void fewerThanTwoPointsOfAKindGiveNoChange() {
    List<BenchReport.MemoryPoint> memory = List.of(point("10%", 70, false), point("10%", 40, true));
    assertEquals(Optional.empty(), BenchReport.heapChangePercent(memory, false));
    assertEquals(Optional.empty(), BenchReport.heapChangePercent(memory, true));
    assertEquals(Optional.empty(), BenchReport.heapChangePercent(List.of(), true));
  }

  @Test
  void theLinesGiveEachPointThenTheChangeOfEachKind() {
    List<BenchReport.MemoryPoint> memory =
        List.of(
            new BenchReport.MemoryPoint("10%", 100, 50 * MIB, 120, false),
            new BenchReport.MemoryPoint("10%", 104, 40 * MIB, 0, true),
            new BenchReport.MemoryPoint("100%", 1000, 55 * MIB, -1, false),
            new BenchReport.MemoryPoint("100%", 1000, 41 * MIB, 0, true));
    assertEquals(
        List.of(
            "memory: heap after GC at 10% (100 txs done): 50.0 MiB, 120 tallies in memory",
            "memory: heap after GC at 10% (104 txs done, load paused until the tallies"
                + " passivated): 40.0 MiB, 0 tallies in memory",
            "memory: heap after GC at 100% (1000 txs done): 55.0 MiB",
            "memory: heap after GC at 100% (1000 txs done, load paused until the tallies"
                + " passivated): 41.0 MiB, 0 tallies in memory",
            "memory: under load, 10% -> 100%: 50.0 -> 55.0 MiB (+10.0%)",
            "memory: load paused, 10% -> 100%: 40.0 -> 41.0 MiB (+2.5%)"),
        BenchReport.memoryLines(memory));
  }

  @Test
  void underLoadPointsAloneGiveNoSettledLine() {
    List<BenchReport.MemoryPoint> memory =
        List.of(point("10%", 50, false), point("100%", 55, false));
    List<String> lines = BenchReport.memoryLines(memory);
    assertEquals(3, lines.size(), lines.toString());
    assertTrue(lines.get(2).startsWith("memory: under load, 10% -> 100%"), lines.toString());
  }
}
