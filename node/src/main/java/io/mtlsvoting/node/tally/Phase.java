package io.mtlsvoting.node.tally;

/** Lifecycle of one transaction's tally on one node (DESIGN section 5). */
public enum Phase {
  /** No valid vote seen yet; the vote-timeout clock has not started. */
  NEW,
  COLLECTING,
  THRESHOLD_REACHED,
  COMMITTED,
  ABORTED_BYZANTINE,
  ABORTED_SPLIT,
  ABORTED_TIMEOUT;

  /** True for COMMITTED and the aborts: no further decision can change. */
  public boolean terminal() {
    return this == COMMITTED || aborted();
  }

  /** True for the three aborts. */
  public boolean aborted() {
    return this == ABORTED_BYZANTINE || this == ABORTED_SPLIT || this == ABORTED_TIMEOUT;
  }

  /** True once a value has reached the threshold (THRESHOLD_REACHED or COMMITTED). */
  public boolean decided() {
    return this == THRESHOLD_REACHED || this == COMMITTED;
  }
}
