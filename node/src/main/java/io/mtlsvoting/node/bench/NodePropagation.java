package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.tally.PropagationCounters;
import java.util.List;
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
    List<String> names = PropagationCounters.NAMES;
    long[] counts = new long[names.size()];
    long total = 0;
    int slowest = 0;
    for (int i = 0; i < counts.length; i++) {
      String name = names.get(i);
      counts[i] = Math.max(0, after.getOrDefault(name, 0L) - before.getOrDefault(name, 0L));
      total += counts[i];
      if (counts[i] > 0) {
        slowest = i;
      }
    }
    if (total == 0) {
      return null;
    }
    return new LatencyHistogram.Summary(
        total,
        percentile(counts, total, 50),
        percentile(counts, total, 90),
        percentile(counts, total, 99),
        bound(slowest));
  }

  private static double percentile(long[] counts, long total, double p) {
    long rank = (long) Math.ceil(p / 100.0 * total);
    long seen = 0;
    int i = 0;
    while (seen + counts[i] < rank) {
      seen += counts[i++];
    }
    return bound(i);
  }

  /** The upper bound of bucket {@code i}; the bucket past the last bound counts as that bound. */
  private static double bound(int i) {
    long[] bounds = PropagationCounters.BOUNDS_MS;
    return bounds[Math.min(i, bounds.length - 1)];
  }
}
