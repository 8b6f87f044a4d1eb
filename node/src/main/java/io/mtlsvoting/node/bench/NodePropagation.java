package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.tally.PropagationCounters;
import java.util.Map;

/**
 * Vote propagation from the nodes' own counters ({@link PropagationCounters}), for a cluster whose
 * votes travel out of the bench's sight: the counts a run added, as a latency summary whose
 * percentiles and maximum are bucket upper bounds in milliseconds (a vote slower than the last
 * bound counts as that bound).
 */
final class NodePropagation {

  private NodePropagation() {}

  /** The votes counted between {@code before} and {@code after}; null when none were. */
  static LatencyHistogram.Summary between(Map<String, Long> before, Map<String, Long> after) {
    long[] bounds = PropagationCounters.BOUNDS_MS;
    long[] counts = new long[bounds.length + 1];
    long total = 0;
    for (int i = 0; i <= bounds.length; i++) {
      String name =
          i < bounds.length ? PropagationCounters.bucket(bounds[i]) : PropagationCounters.OVER;
      counts[i] =
          Math.max(
              0, PropagationCounters.count(after, name) - PropagationCounters.count(before, name));
      total += counts[i];
    }
    if (total == 0) {
      return null;
    }
    double max = 0;
    for (int i = 0; i <= bounds.length; i++) {
      if (counts[i] > 0) {
        max = bound(bounds, i);
      }
    }
    return new LatencyHistogram.Summary(
        total,
        percentile(counts, total, 50),
        percentile(counts, total, 90),
        percentile(counts, total, 99),
        max);
  }

  private static double percentile(long[] counts, long total, double p) {
    long rank = (long) Math.ceil(p / 100.0 * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank && seen > 0) {
        return bound(PropagationCounters.BOUNDS_MS, i);
      }
    }
    return bound(PropagationCounters.BOUNDS_MS, counts.length - 1);
  }

  private static double bound(long[] bounds, int i) {
    return bounds[Math.min(i, bounds.length - 1)];
  }
}
