package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading the machine's CPU from /proc/stat and this JVM's from the JVM. */
class CpuUseTest {

  @Test
  void parsesTheAggregateLineAndCountsTheCores() {
    CpuUse.Ticks t =
        CpuUse.parse(
            List.of(
                "cpu  4705 356 584 3699 23 23 0 7 11 0",
                "cpu0 1393 280 283 1800 10 15 0 3 5 0",
                "cpu1 3312 76 301 1899 13 8 0 4 6 0",
                "intr 114930548 113199788 3 0 5 263 0 4 [... 200 more]",
                "ctxt 1990473"));
    // user nice system idle iowait irq softirq steal = 9397; idle + iowait = 3722.
    assertEquals(new CpuUse.Ticks(9397 - 3722, 9397, 2), t);
  }

  @Test
  void unreadableContentIsUnknownNotAnError() {
    assertNull(CpuUse.parse(List.of()));
    assertNull(CpuUse.parse(List.of("cpu  1 2 x 4 5 6 7 8", "cpu0 1 2 3 4 5 6 7 8")));
    assertNull(CpuUse.parse(List.of("cpu  1 2 3", "cpu0 1 2 3 4 5 6 7 8")));
    assertNull(CpuUse.parse(List.of("cpu  1 2 3 4 5 6 7 8")), "no per-core lines");
    assertNull(CpuUse.parse(List.of("ctxt 1990473")));
  }

  @Test
  void perTxFiguresAreTheCoresOverTheRunSharedOutAmongTheTxs() {
    CpuUse cpu = new CpuUse(10, 1.5, 1.0);
    assertEquals(15.0, cpu.machineMsPer(1_000), 1e-9);
    assertEquals(10.0, cpu.jvmMsPer(1_000), 1e-9);
    assertEquals(-1, cpu.machineMsPer(0));
    assertEquals(-1, new CpuUse(10, -1, 1.0).machineMsPer(1_000));
    assertEquals(-1, CpuUse.UNKNOWN.jvmMsPer(1_000));
  }

  @Test
  void aMeterSeesThisJvmsWorkOnTheMachine() {
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    CpuUse.Meter meter = CpuUse.start();
    // Work until this JVM has used 300 ms of CPU (however long that takes on a busy machine).
    long until = os.getProcessCpuTime() + 300_000_000L;
    long x = 0;
    while (os.getProcessCpuTime() < until) {
      for (int i = 0; i < 100_000; i++) {
        x += i * 31L ^ x;
      }
    }
    CpuUse cpu = meter.stop();
    assertTrue(x != 1, "keeps the loop");
    assertTrue(cpu.seconds() > 0, cpu.toString());
    assertTrue(cpu.jvmCores() > 0, cpu.toString());
    if (System.getProperty("os.name").startsWith("Linux")) {
      assertTrue(cpu.machineBusyCores() > 0, cpu.toString());
    }
  }
}
