package io.mtlsvoting.node.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Waits, after a warm-up, until this JVM's JIT has stopped compiling. On a few cores a saturated
 * warm-up starves the JIT's compiler threads: hundreds of methods wait for C2 (measured: 214-358
 * queued whenever sampled through a 5-node warm-up on 2 cores) and the measured run would start on
 * code that is still only partly compiled. The JIT counts as settled once its compile time grew by
 * less than {@link #QUIET_SHARE} of each of {@link #QUIET_STEPS} consecutive steps.
 */
final class JitSettle {

  /** Compile time below this share of a step counts as quiet. */
  static final double QUIET_SHARE = 0.02;

  /** Consecutive quiet steps that make the JIT settled. */
  static final int QUIET_STEPS = 3;

  /** How the wait ended: {@code settled} false when {@code waited} reached the limit first. */
  record Result(boolean settled, Duration waited) {}

  /** Sleeps; {@link Thread#sleep} in production, a clock step in tests. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private JitSettle() {}

  /**
   * Samples {@code compileMillis} (the JIT's total compile time so far) every {@code step} until it
   * is quiet for {@link #QUIET_STEPS} steps in a row, or {@code max} has passed.
   */
  static Result await(LongSupplier compileMillis, Sleeper sleeper, Duration step, Duration max)
      throws InterruptedException {
    Objects.requireNonNull(compileMillis, "compileMillis");
    Objects.requireNonNull(sleeper, "sleeper");
    if (step.isNegative() || step.isZero()) {
      throw new IllegalArgumentException("step must be positive, was " + step);
    }
    if (max.isNegative()) {
      throw new IllegalArgumentException("max must not be negative, was " + max);
    }
    double quietMillis = QUIET_SHARE * step.toMillis();
    long last = compileMillis.getAsLong();
    if (last < 0) {
      // The JVM does not say how long it compiles: nothing to wait for.
      return new Result(true, Duration.ZERO);
    }
    Duration waited = Duration.ZERO;
    int quiet = 0;
    while (quiet < QUIET_STEPS) {
      if (waited.plus(step).compareTo(max) > 0) {
        return new Result(false, waited);
      }
      sleeper.sleep(step);
      waited = waited.plus(step);
      long now = compileMillis.getAsLong();
      quiet = now - last < quietMillis ? quiet + 1 : 0;
      last = now;
    }
    return new Result(true, waited);
  }

  /** This JVM's JIT compiler threads ({@code -XX:CICompilerCount}), or -1 when it does not say. */
  static int compilerThreads() {
    try {
      com.sun.management.HotSpotDiagnosticMXBean hotspot =
          ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return hotspot == null
          ? -1
          : Integer.parseInt(hotspot.getVMOption("CICompilerCount").getValue());
    } catch (RuntimeException e) {
      // Not HotSpot, or no such option.
      return -1;
    }
  }
}
