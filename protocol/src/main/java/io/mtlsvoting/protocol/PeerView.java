package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * One peer connection as seen by a node: {@code state} e.g. CONNECTED/CONNECTING/BACKOFF, {@code
 * sinceMillis} epoch millis of the last state change, {@code lastError} empty when none.
 */
public record PeerView(
    int nodeId,
    String address,
    String state,
    long sinceMillis,
    long rttMicros,
    long msgsIn,
    long msgsOut,
    long bytesIn,
    long bytesOut,
    long drops,
    double reputation,
    boolean banned,
    String lastError) {
  public PeerView {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastError, "lastError");
  }
}
