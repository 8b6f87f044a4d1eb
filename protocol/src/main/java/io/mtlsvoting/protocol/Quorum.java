package io.mtlsvoting.protocol;

/**
 * Threshold arithmetic for {@code n} nodes and threshold {@code t}: valid only when {@code 1 <= t
 * <= n} and {@code t > n/2}, so two conflicting quorums must share at least {@code 2t-n} nodes.
 */
public record Quorum(int n, int t) {
  public Quorum {
    if (n < 1) {
      throw new InvalidInputException("total-nodes must be at least 1 (got " + n + ")");
    }
    if (t < 1) {
      throw new InvalidInputException("threshold must be at least 1 (got " + t + ")");
    }
    if (t > n) {
      throw new InvalidInputException(
          "threshold " + t + " must not exceed total-nodes " + n + ": the quorum could never form");
    }
    if (2L * t <= n) {
      throw new InvalidInputException(
          "threshold "
              + t
              + " must be greater than total-nodes/2 ("
              + n
              + "/2) for safety: otherwise two disjoint groups could each reach a quorum");
    }
  }

  /** Byzantine nodes tolerated without conflicting certificates: {@code 2t - n - 1}. */
  public int safetyTolerance() {
    return 2 * t - n - 1;
  }

  /** Faulty or unreachable nodes tolerated while still making progress: {@code n - t}. */
  public int livenessTolerance() {
    return n - t;
  }

  /** True when {@code votes} distinct nodes are enough for a decision. */
  public boolean reached(int votes) {
    return votes >= t;
  }
}
