package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * A detected Byzantine violation as shown to clients: {@code type} is DOUBLE_VOTING, MINORITY_VOTE,
 * INVALID_SIGNATURE or SILENT_FAILURE; {@code observedBy} the node that detected it.
 */
public record ViolationView(
    String type,
    int offenderNodeId,
    String txId,
    int observedBy,
    long detectedAtMillis,
    String detail) {
  public ViolationView {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(txId, "txId");
    Objects.requireNonNull(detail, "detail");
  }
}
