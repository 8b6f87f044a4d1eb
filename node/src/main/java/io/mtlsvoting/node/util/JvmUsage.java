package io.mtlsvoting.node.util;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/** What this JVM has spent so far: its CPU time and its JIT's compile time. */
public final class JvmUsage {

  /** A node's info counter: {@link #cpuNanos()} in milliseconds. */
  public static final String CPU_COUNTER = "jvm.cpu-ms";

  /** A node's info counter: {@link #jitMillis()}. */
  public static final String JIT_COUNTER = "jvm.jit-ms";

  private JvmUsage() {}

  /** CPU time of this JVM so far (all its threads), or -1 when the JVM does not say. */
  public static long cpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /**
   * Time this JVM's JIT compilers spent compiling so far (summed over them; elapsed time, so on a
   * busy machine it includes waiting for a core), or -1 when the JVM does not say.
   */
  public static long jitMillis() {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported()
        ? jit.getTotalCompilationTime()
        : -1;
  }
}
