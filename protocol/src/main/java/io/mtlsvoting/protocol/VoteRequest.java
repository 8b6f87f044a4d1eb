package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * Asks the receiving node for its own signed vote on {@code txId}: the sender's tally of that tx
 * still lacks it (a vote sent while the link was down, or while the sender was restarting, is not
 * sent again by itself). The receiver answers with the {@link Vote} it cast, if it cast one, and
 * with nothing otherwise; the answer is verified and counted like any vote, a repeat being a no-op.
 */
public record VoteRequest(String txId) implements PeerMessage {
  public VoteRequest {
    Objects.requireNonNull(txId, "txId");
  }
}
