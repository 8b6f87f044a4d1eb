package io.mtlsvoting.protocol;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Answer to {@link StatusRequest}. {@code state} is the tally state or UNKNOWN; {@code
 * countsByValue} keys are unsigned decimals; {@code certificate} holds the signed votes of the
 * quorum certificate (empty before a decision) so the client can verify it offline under {@code
 * clusterId}; {@code safetyAlarm} is empty unless a conflicting certificate was seen.
 */
public record StatusReply(
    long requestId,
    String clusterId,
    String txId,
    String state,
    Map<String, Integer> countsByValue,
    List<VoteView> votes,
    String decidedValue,
    List<Vote> certificate,
    List<ViolationView> violations,
    long openedAtMillis,
    long deadlineMillis,
    String safetyAlarm)
    implements ClientReply {
  public StatusReply {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(txId, "txId");
    Objects.requireNonNull(state, "state");
    countsByValue = Map.copyOf(countsByValue);
    votes = List.copyOf(votes);
    Objects.requireNonNull(decidedValue, "decidedValue");
    certificate = List.copyOf(certificate);
    violations = List.copyOf(violations);
    Objects.requireNonNull(safetyAlarm, "safetyAlarm");
  }
}
