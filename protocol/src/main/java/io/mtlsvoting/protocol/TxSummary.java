package io.mtlsvoting.protocol;

import java.util.Objects;

/** One transaction in a {@link MonitorSnapshot}; {@code leadingValue} is unsigned decimal or "". */
public record TxSummary(
    String txId, String state, int votes, String leadingValue, long openedAtMillis) {
  public TxSummary {
    Objects.requireNonNull(txId, "txId");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(leadingValue, "leadingValue");
  }
}
