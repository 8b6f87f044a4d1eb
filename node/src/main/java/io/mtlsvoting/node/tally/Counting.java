package io.mtlsvoting.node.tally;

import java.util.Collection;

/**
 * The early-abort arithmetic of a tally: whether some value can still gather {@code t} votes given
 * the votes counted so far and the members that may still vote.
 */
public final class Counting {
  private Counting() {}

  /**
   * True when a value with {@code votesFor} counted votes can still reach {@code threshold}, if
   * every one of the {@code undecided} members (not yet voted, not banned) votes for it.
   */
  public static boolean canStillReach(int votesFor, int undecided, int threshold) {
    if (votesFor < 0 || undecided < 0 || threshold < 1) {
      throw new IllegalArgumentException(
          "counts must be >= 0 and threshold >= 1: "
              + votesFor
              + ", "
              + undecided
              + ", "
              + threshold);
    }
    return votesFor + undecided >= threshold;
  }

  /**
   * True when at least one value (one already voted for, or a fresh one with zero votes) can still
   * reach {@code threshold}.
   */
  public static boolean anyValueCanReach(
      Collection<Integer> countsPerValue, int undecided, int threshold) {
    int best = 0;
    for (int c : countsPerValue) {
      best = Math.max(best, c);
    }
    return canStillReach(best, undecided, threshold);
  }
}
