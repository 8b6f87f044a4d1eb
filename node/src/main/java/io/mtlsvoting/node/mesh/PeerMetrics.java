package io.mtlsvoting.node.mesh;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Live, thread-safe counters and state of one peer, written by its connections (stream threads),
 * its {@link PeerConnection} actor and the broadcaster, read for {@link PeerStatus} snapshots.
 */
final class PeerMetrics {
  private static final double EWMA_WEIGHT = 0.2;

  final int nodeId;
  final AtomicLong bytesIn = new AtomicLong();
  final AtomicLong bytesOut = new AtomicLong();
  final AtomicLong messagesIn = new AtomicLong();
  final AtomicLong messagesOut = new AtomicLong();
  final AtomicLong drops = new AtomicLong();
  final AtomicLong protocolErrors = new AtomicLong();
  final AtomicLong failedAttempts = new AtomicLong();
  final AtomicLong reconnects = new AtomicLong();

  private volatile PeerState state = PeerState.DISCONNECTED;
  private volatile Instant connectedSince;
  private volatile String lastError;
  // Redial failures of a down peer would otherwise hide the reason a connection was refused.
  private static final int RECENT_ERRORS = 8;
  private final ArrayDeque<String> recentErrors = new ArrayDeque<>(RECENT_ERRORS);
  private volatile int openConnections;
  private volatile boolean inboundActive;
  private volatile long rttLastMicros = -1;
  private volatile long rttEwmaMicros = -1;

  PeerMetrics(int nodeId) {
    this.nodeId = nodeId;
  }

  void state(PeerState state, Instant connectedSince, int open, boolean inbound) {
    this.state = state;
    this.connectedSince = connectedSince;
    this.openConnections = open;
    this.inboundActive = inbound;
  }

  void lastError(String reason) {
    this.lastError = reason;
    synchronized (recentErrors) {
      if (recentErrors.size() == RECENT_ERRORS) {
        recentErrors.removeFirst();
      }
      recentErrors.addLast(reason);
    }
  }

  private List<String> recentErrors() {
    synchronized (recentErrors) {
      return List.copyOf(recentErrors);
    }
  }

  synchronized void rtt(long micros) {
    rttLastMicros = micros;
    rttEwmaMicros =
        rttEwmaMicros < 0
            ? micros
            : Math.round(EWMA_WEIGHT * micros + (1 - EWMA_WEIGHT) * rttEwmaMicros);
  }

  PeerStatus snapshot() {
    return new PeerStatus(
        nodeId,
        state,
        Optional.ofNullable(connectedSince),
        rttLastMicros,
        rttEwmaMicros,
        bytesIn.get(),
        bytesOut.get(),
        messagesIn.get(),
        messagesOut.get(),
        drops.get(),
        protocolErrors.get(),
        failedAttempts.get(),
        reconnects.get(),
        openConnections,
        inboundActive,
        Optional.ofNullable(lastError),
        recentErrors());
  }
}
