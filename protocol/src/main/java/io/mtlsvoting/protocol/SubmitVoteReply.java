package io.mtlsvoting.protocol;

import java.util.List;
import java.util.Objects;

/**
 * Answer to {@link SubmitVoteRequest}: the vote the node cast, the tally {@code state} (e.g.
 * COLLECTING, THRESHOLD_REACHED, COMMITTED, ABORTED_*), the {@code decidedValue} (unsigned decimal,
 * empty if none) and the quorum certificate's votes once decided. {@code waitExpired} is true when
 * the client asked to wait and no decision came in time.
 */
public record SubmitVoteReply(
    long requestId,
    Vote vote,
    String state,
    String decidedValue,
    List<Vote> certificate,
    boolean waitExpired)
    implements ClientReply {
  public SubmitVoteReply {
    Objects.requireNonNull(vote, "vote");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(decidedValue, "decidedValue");
    certificate = List.copyOf(certificate);
  }
}
