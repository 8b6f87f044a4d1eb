package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.util.JvmUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * CPU used during {@code seconds} of a bench run: by the whole machine (Linux {@code /proc/stat};
 * the nodes, PostgreSQL, etcd and this JVM together when they share it) and by this JVM, in cores
 * (1.0 = one core busy all along). Either is -1 where it is unknown.
 */
public record CpuUse(double seconds, double machineBusyCores, double jvmCores) {

  private static final Path PROC_STAT = Path.of("/proc/stat");

  /** Nothing known (no run measured). */
  public static final CpuUse UNKNOWN = new CpuUse(0, -1, -1);

  /** Busy and total ticks summed over the machine's {@code cpus} cores, from /proc/stat. */
  record Ticks(long busy, long total, int cpus) {}

  /**
   * The ticks of {@code procStat}'s aggregate "cpu" line (user nice system idle iowait irq softirq
   * steal; guest time is already in user; idle and iowait are not busy) and the number of "cpuN"
   * lines, or null if there is no such line or it does not parse.
   */
  static Ticks parse(List<String> procStat) {
    long busy = -1;
    long total = 0;
    int cpus = 0;
    for (String line : procStat) {
      String[] f = line.trim().split("\\s+");
      if (f[0].matches("cpu[0-9]+")) {
        cpus++;
      } else if (f[0].equals("cpu") && busy < 0) {
        if (f.length < 6) {
          return null;
        }
        try {
          for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
          }
          busy = total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return busy < 0 || cpus == 0 ? null : new Ticks(busy, total, cpus);
  }

  /** Milliseconds of machine CPU per tx for {@code txs} txs, or -1 when unknown. */
  public double machineMsPer(long txs) {
    return machineBusyCores < 0 || txs <= 0 ? -1 : machineBusyCores * seconds * 1e3 / txs;
  }

  /** Milliseconds of this JVM's CPU per tx for {@code txs} txs, or -1 when unknown. */
  public double jvmMsPer(long txs) {
    return jvmCores < 0 || txs <= 0 ? -1 : jvmCores * seconds * 1e3 / txs;
  }

  /** Starts measuring now. */
  public static Meter start() {
    return new Meter();
  }

  /** A started measurement. */
  public static final class Meter {
    private final long wallNanos = System.nanoTime();
    private final long jvmNanos = JvmUsage.cpuNanos();
    private final Ticks ticks = machineTicks();

    private Meter() {}

    /** The CPU used since the start, averaged over the time since. */
    public CpuUse stop() {
      double wall = System.nanoTime() - wallNanos;
      long jvmNow = JvmUsage.cpuNanos();
      Ticks now = machineTicks();
      if (wall <= 0) {
        return UNKNOWN;
      }
      double jvm = jvmNanos < 0 || jvmNow < 0 ? -1 : (jvmNow - jvmNanos) / wall;
      double machine = -1;
      if (ticks != null && now != null && now.total() > ticks.total()) {
        machine = (double) (now.busy() - ticks.busy()) / (now.total() - ticks.total()) * now.cpus();
      }
      return new CpuUse(wall / 1e9, machine, jvm);
    }
  }

  private static Ticks machineTicks() {
    try {
      return parse(Files.readAllLines(PROC_STAT));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
