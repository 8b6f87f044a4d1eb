package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.util.JvmUsage;
import java.util.Map;

/**
 * What the nodes' JVMs spent during a run against a running cluster, from the totals their {@code
 * info} counters carry ({@link JvmUsage#CPU_COUNTER}, {@link JvmUsage#JIT_COUNTER}), summed over
 * the {@code jvms} nodes: their CPU time and their JIT's compile time (summed over the compiler
 * threads; on a busy machine it includes waiting for a core, so it is not part of the CPU time and
 * may exceed it), in seconds.
 */
public record NodeJvms(int jvms, double cpuSeconds, double jitSeconds) {

  /**
   * The difference of the nodes' summed counters between {@code before} and {@code after}; null
   * when either lacks them (nodes whose JVM does not say, or of a version without them).
   */
  static NodeJvms between(Map<String, Long> before, Map<String, Long> after, int jvms) {
    String cpu = JvmUsage.CPU_COUNTER;
    String jit = JvmUsage.JIT_COUNTER;
    if (!before.containsKey(cpu)
        || !after.containsKey(cpu)
        || !before.containsKey(jit)
        || !after.containsKey(jit)) {
      return null;
    }
    return new NodeJvms(
        jvms,
        Math.max(0, after.get(cpu) - before.get(cpu)) / 1000.0,
        Math.max(0, after.get(jit) - before.get(jit)) / 1000.0);
  }
}
