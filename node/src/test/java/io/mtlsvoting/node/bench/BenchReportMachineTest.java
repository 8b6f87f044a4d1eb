package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchReportMachineTest {

  private static BenchReport.Machine machine(int cores, double jitSeconds) {
    return new BenchReport.Machine(cores, 0, 0, "17", jitSeconds, CpuUse.UNKNOWN);
  }

  @Test
  void aRunWithTheJitCompilingForMoreThanFivePercentOfItsCoreTimeIsStillWarmingUp() {
    // 60 s on 2 cores = 120 core-seconds; 5% is 6 s.
    assertTrue(machine(2, 6.5).stillWarmingUp(60));
    assertFalse(machine(2, 5.5).stillWarmingUp(60));
    // The same compile time is a smaller share of a machine with more cores.
    assertFalse(machine(4, 6.5).stillWarmingUp(60));
  }

  @Test
  void unknownJitTimeOrAnEmptyRunIsNeverCalledWarmingUp() {
    assertFalse(machine(2, -1).stillWarmingUp(60));
    assertFalse(machine(2, 30).stillWarmingUp(0));
  }
}
