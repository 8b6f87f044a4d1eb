package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchReportMachineTest {

  private static BenchReport.Machine machine(int cores, double jitSeconds) {
    return machine(cores, jitSeconds, 4);
  }

  private static BenchReport.Machine machine(int cores, double jitSeconds, int compilerThreads) {
    return new BenchReport.Machine(
        cores, 0, 0, "17", jitSeconds, compilerThreads, CpuUse.UNKNOWN, null);
  }

  private static BenchReport.Machine remote(int cores, NodeJvms nodes) {
    return new BenchReport.Machine(cores, 0, 0, "17", -1, -1, CpuUse.UNKNOWN, nodes);
  }

  @Test
  void theNodesLineGivesTheirCpuPerTxAndTheirCompileTime() {
    // 5 JVMs, 60 s run, 600 txs: 90 s of CPU = 1.50 cores, 150 ms per tx.
    String line = remote(2, new NodeJvms(5, 90, 3)).nodesLine(60, 600);
    assertEquals(
        "nodes: their 5 JVMs 1.50 cores during the load, 150.0 ms of CPU per decided tx; their JIT"
            + " compiled for 3.0 s (summed over their compiler threads)",
        line);
  }

  @Test
  void nodesWhoseJitCompiledForMoreThanFivePercentOfTheRunsCoreTimeAreStillWarmingUp() {
    // 2 cores x 60 s = 120 core-s; 5% = 6 s.
    assertTrue(remote(2, new NodeJvms(5, 90, 6.5)).nodesLine(60, 600).contains("still warming up"));
    assertFalse(remote(2, new NodeJvms(5, 90, 5.5)).nodesLine(60, 600).contains("warming"));
    assertFalse(remote(4, new NodeJvms(5, 90, 6.5)).nodesLine(60, 600).contains("warming"));
  }

  @Test
  void noNodesLineWhenTheNodesDidNotSayOrNothingRan() {
    assertNull(machine(2, 1).nodesLine(60, 600));
    assertNull(remote(2, new NodeJvms(5, 90, 3)).nodesLine(0, 0));
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

  @Test
  void aJvmStillWarmingUpWithFewCompilerThreadsIsToldHowToGetMore() {
    String line = machine(2, 30, 2).jitLine(60);
    assertTrue(line.startsWith("JIT: 30.0 s compiling during the 60.0 s run, 2 compiler threads"));
    assertTrue(line.contains("still warming up"), line);
    assertTrue(line.contains("-XX:CICompilerCount=4"), line);
  }

  @Test
  void enoughCompilerThreadsOrAWarmJvmGetNoCompilerHint() {
    String enough = machine(2, 30, 4).jitLine(60);
    assertTrue(enough.contains("still warming up"), enough);
    assertFalse(enough.contains("CICompilerCount"), enough);
    String warm = machine(2, 1, 2).jitLine(60);
    assertEquals("JIT: 1.0 s compiling during the 60.0 s run, 2 compiler threads", warm);
    String unknown = machine(2, 30, -1).jitLine(60);
    assertFalse(unknown.contains("compiler threads"), unknown);
    assertFalse(unknown.contains("CICompilerCount"), unknown);
  }
}
