package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * Proof of double voting: two votes signed by the same node for the same transaction with different
 * values. Anyone holding the node's certificate can check it.
 */
public record Evidence(Vote first, Vote second) implements PeerMessage {
  public Evidence {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
  }
}
