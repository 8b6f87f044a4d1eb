package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * Asks a node to cast its own signed vote {@code value} (unsigned 64-bit) for {@code txId}. With
 * {@code awaitDecision} the node answers once it reached a decision or {@code waitMillis} passed.
 */
public record SubmitVoteRequest(
    long requestId, String txId, long value, boolean awaitDecision, long waitMillis)
    implements ClientRequest {
  public SubmitVoteRequest {
    Objects.requireNonNull(txId, "txId");
  }
}
