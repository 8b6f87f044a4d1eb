package io.mtlsvoting.node.tally;

import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

/**
 * Vote propagation as a node sees it, kept as counters so that a client can read it with {@code
 * info}: for each verified peer vote, the time from its signing ({@code issued_at}, the signer's
 * wall clock) to its verification here (this node's wall clock), counted in the bucket of the
 * smallest bound at or above it. Millisecond clocks; across machines their skew adds in.
 */
public final class PropagationCounters {

  /** Counter names start with this; {@code le-<bound>ms} per bucket, then {@code over-<last>ms}. */
  public static final String PREFIX = "vote-propagation.";

  /** Upper bounds of the buckets, in milliseconds. */
  public static final long[] BOUNDS_MS = {
    1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000
  };

  /**
   * The buckets' counter names, fastest first: one per bound, then the one past the last bound.
   * Built once, so counting a vote (on the verification path) allocates no name.
   */
  public static final List<String> NAMES =
      Stream.concat(
              LongStream.of(BOUNDS_MS).mapToObj(b -> PREFIX + "le-" + b + "ms"),
              Stream.of(PREFIX + "over-" + BOUNDS_MS[BOUNDS_MS.length - 1] + "ms"))
          .toList();

  private PropagationCounters() {}

  /** The counter a vote that took {@code millis} to arrive belongs to (below 0 counts as 0). */
  public static String counterFor(long millis) {
    for (int i = 0; i < BOUNDS_MS.length; i++) {
      if (millis <= BOUNDS_MS[i]) {
        return NAMES.get(i);
      }
    }
    return NAMES.get(BOUNDS_MS.length);
  }

  /** Counts one vote signed at {@code issuedAtMillis} and verified at {@code nowMillis}. */
  static void record(TallyMetrics metrics, long issuedAtMillis, long nowMillis) {
    metrics.increment(counterFor(nowMillis - issuedAtMillis));
  }
}
