package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.util.JvmUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PrimitiveIterator;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class JitSettleTest {

  private static final Duration STEP = Duration.ofSeconds(1);

  /** Compile times read one after the other (the first is the reading before any wait). */
  private static LongSupplier readings(long... millis) {
    PrimitiveIterator.OfLong it = LongStream.of(millis).iterator();
    return () -> it.nextLong();
  }

  @Test
  void settlesAfterThreeQuietStepsInARow() throws InterruptedException {
    List<Duration> slept = new ArrayList<>();
    // Busy (+900, +500 ms per 1 s step), quiet twice, busy again, then quiet three times.
    JitSettle.Result r =
        JitSettle.await(
            readings(1000, 1900, 2400, 2405, 2410, 2800, 2801, 2802, 2810),
            slept::add,
            STEP,
            Duration.ofSeconds(60));
    assertTrue(r.settled());
    assertEquals(Duration.ofSeconds(8), r.waited());
    assertEquals(8, slept.size());
    assertTrue(slept.stream().allMatch(STEP::equals));
  }

  @Test
  void givesUpAtTheLimitWhileTheJitKeepsCompiling() throws InterruptedException {
    long[] compile = {0};
    JitSettle.Result r =
        JitSettle.await(() -> compile[0] += 100, d -> {}, STEP, Duration.ofSeconds(5));
    assertFalse(r.settled());
    assertEquals(Duration.ofSeconds(5), r.waited());
  }

  @Test
  void aJvmThatDoesNotReportCompileTimeIsNotWaitedFor() throws InterruptedException {
    JitSettle.Result r =
        JitSettle.await(
            () -> -1,
            d -> {
              throw new AssertionError("slept");
            },
            STEP,
            Duration.ofSeconds(5));
    assertTrue(r.settled());
    assertEquals(Duration.ZERO, r.waited());
  }

  @Test
  void badStepsAndLimitsAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> JitSettle.await(() -> 0, d -> {}, Duration.ZERO, Duration.ofSeconds(5)));
    assertThrows(
        IllegalArgumentException.class,
        () -> JitSettle.await(() -> 0, d -> {}, STEP, Duration.ofSeconds(-1)));
  }

  @Test
  void thisJvmSaysHowManyCompilerThreadsItHas() {
    // HotSpot always has at least one compiler thread per tier in use.
    assertTrue(JitSettle.compilerThreads() >= 1, "CICompilerCount " + JitSettle.compilerThreads());
    assertTrue(JvmUsage.jitMillis() >= 0);
  }
}
