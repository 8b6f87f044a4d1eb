package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * One peer connection as seen by a node: {@code state} e.g. CONNECTED/CONNECTING/BACKOFF, {@code
 * sinceMillis} epoch millis of the last state change, {@code lastError} empty when none, {@code
 * etcdMember} etcd's view of the peer: "live" (its lease-backed members/ key exists), "absent",
 * "unknown" (etcd unreachable) or "" when the node runs without etcd.
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
    String lastError,
    String etcdMember) {
  public PeerView {
    Objects.requireNonNull(etcdMember, "etcdMember");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(lastError, "lastError");
  }
}
