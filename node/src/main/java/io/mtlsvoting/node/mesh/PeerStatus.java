package io.mtlsvoting.node.mesh;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A snapshot of one peer's connection: state, since when connected, round-trip times, traffic
 * counters (summed over all connections to the peer), drops and the last error.
 *
 * @param openConnections Hello-completed connections to the peer (1 when the mesh is settled; 2
 *     briefly while a duplicate lingers after losing the tie-break)
 * @param inboundActive true when the live connection was dialled by the peer
 * @param protocolErrors undecodable, oversize or out-of-order frames
 * @param failedAttempts connections that ended before the Hello exchange completed
 * @param reconnects times the peer became connected again after having been connected
 * @param recentErrors the last few errors, oldest first ({@code lastError} is the newest)
 */
public record PeerStatus(
    int nodeId,
    PeerState state,
    Optional<Instant> connectedSince,
    long rttLastMicros,
    long rttEwmaMicros,
    long bytesIn,
    long bytesOut,
    long messagesIn,
    long messagesOut,
    long drops,
    long protocolErrors,
    long failedAttempts,
    long reconnects,
    int openConnections,
    boolean inboundActive,
    Optional<String> lastError,
    List<String> recentErrors) {}
