package io.mtlsvoting.node.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-size, thread-safe latency histogram in microseconds with log-linear buckets (64
 * sub-buckets per power of two, so percentiles are within ~1.6%): constant memory however many
 * samples a long run records.
 */
public final class LatencyHistogram {
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;
  private static final int BUCKETS = (64 - SUB_BITS + 1) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
  private final LongAdder total = new LongAdder();
  private final AtomicLong max = new AtomicLong();

  /** Records one latency of {@code nanos} nanoseconds (negative values count as 0). */
  public void recordNanos(long nanos) {
    long micros = Math.max(0, nanos / 1000);
    counts.incrementAndGet(index(micros));
    total.increment();
    max.accumulateAndGet(micros, Math::max);
  }

  static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int exp = 63 - Long.numberOfLeadingZeros(v) - SUB_BITS;
    int mantissa = (int) (v >>> exp) & (SUB - 1);
    return (exp + 1) * SUB + mantissa;
  }

  /** The upper bound (microseconds) of the values in bucket {@code i}. */
  static long upper(int i) {
    if (i < SUB) {
      return i;
    }
    int exp = i / SUB - 1;
    long mantissa = (i % SUB) | SUB;
    return ((mantissa + 1) << exp) - 1;
  }

  /** Forgets every sample (the bench's warm-up). */
  public void reset() {
    for (int i = 0; i < counts.length(); i++) {
      counts.set(i, 0);
    }
    total.reset();
    max.set(0);
  }

  public long count() {
    return total.sum();
  }

  /** The value at {@code percentile} (0..100) in microseconds, 0 without samples. */
  public long percentileMicros(double percentile) {
    long n = count();
    if (n == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(percentile / 100.0 * n);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank && seen > 0) {
        return Math.min(upper(i), max.get());
      }
    }
    return max.get();
  }

  public long maxMicros() {
    return max.get();
  }

  /** p50/p90/p99/max in milliseconds. */
  public Summary summary() {
    return new Summary(
        count(),
        percentileMicros(50) / 1000.0,
        percentileMicros(90) / 1000.0,
        percentileMicros(99) / 1000.0,
        maxMicros() / 1000.0);
  }

  /** Latency percentiles in milliseconds. */
  public record Summary(long samples, double p50Ms, double p90Ms, double p99Ms, double maxMs) {}
}
