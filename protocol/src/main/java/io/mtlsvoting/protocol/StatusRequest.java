package io.mtlsvoting.protocol;

import java.util.Objects;

/** Asks a node for its view of one transaction. */
public record StatusRequest(long requestId, String txId) implements ClientRequest {
  public StatusRequest {
    Objects.requireNonNull(txId, "txId");
  }
}
