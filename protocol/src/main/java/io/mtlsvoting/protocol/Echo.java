package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * A dissenting vote of another node, passed on for cross-checking: a node that counts a vote
 * against the decided value echoes it so that peers holding a different signed value from the same
 * node can prove a double vote (votes are otherwise sent only by their signer, so a split double
 * vote would go unseen). An echo is verified under the key of {@code vote.nodeId()}, never counted
 * as a vote, and only compared with the vote the receiver already holds.
 */
public record Echo(Vote vote) implements PeerMessage {
  public Echo {
    Objects.requireNonNull(vote, "vote");
  }
}
