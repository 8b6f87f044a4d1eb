package io.mtlsvoting.persistence.audit;

/**
 * A PostgreSQL transaction snapshot reduced to its bounds: {@code xmin}, the oldest transaction
 * still running, and {@code xmax}, the first transaction id not yet assigned. Once a later
 * horizon's xmin reaches an earlier one's xmax, every transaction running at the earlier time has
 * ended.
 */
public record TxHorizon(long xmin, long xmax) {

  /** True when every transaction that was running at {@code earlier} has ended by this one. */
  public boolean passed(TxHorizon earlier) {
    return xmin >= earlier.xmax();
  }
}
