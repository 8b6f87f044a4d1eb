package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.protocol.Vote;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Timestamps what a benchmark run's nodes decide against the moments votes were cast, and keeps
 * latency histograms. In-process nodes report every journaled event through {@link #listener}; a
 * driver that only sees the nodes from outside reports decisions, commits and detections through
 * the public methods. A tx's bookkeeping is dropped once it is complete (and, when votes are
 * observed, once all its votes were counted everywhere), so memory stays flat over long runs.
 *
 * <p>With a Byzantine node ({@link #byzantine}), decisions and commits are counted at the honest
 * nodes only, and detections are the DOUBLE_VOTING events the honest nodes record.
 */
public final class BenchRecorder {
  private final List<Integer> members;
  private final Map<Integer, Integer> position = new ConcurrentHashMap<>();
  private final int n;
  private volatile boolean commits;
  private volatile boolean observesVotes = true;
  private volatile int byzantineNode;
  private volatile Consumer<String> onComplete = tx -> {};
  private final Map<String, Track> tracks = new ConcurrentHashMap<>();
  private final Set<String> detectedTxs = ConcurrentHashMap.newKeySet();

  final LatencyHistogram propagation = new LatencyHistogram();
  final LatencyHistogram decision = new LatencyHistogram();
  final LatencyHistogram decisionAll = new LatencyHistogram();
  final LatencyHistogram commit = new LatencyHistogram();
  // Where a decision's time goes (in-process only: needs each node's journaled events).
  final LatencyHistogram ownVoteJournaled = new LatencyHistogram();
  final LatencyHistogram wire = new LatencyHistogram();
  final LatencyHistogram decisionJournaled = new LatencyHistogram();
  // THRESHOLD_REACHED journaled at a node until COMMITTED journaled there (in-process only).
  final LatencyHistogram committedAfterDecision = new LatencyHistogram();
  final LongAdder decidedTxs = new LongAdder();
  final LongAdder committedTxs = new LongAdder();
  final LongAdder abortedTxs = new LongAdder();
  final LongAdder completedTxs = new LongAdder();
  final LongAdder detections = new LongAdder();
  final AtomicLong lastDecidedNanos = new AtomicLong();
  final AtomicLong lastCommittedNanos = new AtomicLong();

  /** Tracks a cluster of {@code members} (the same ids the driver casts with). */
  public BenchRecorder(List<Integer> members) {
    this.members = List.copyOf(members);
    this.n = members.size();
    for (int i = 0; i < n; i++) {
      position.put(this.members.get(i), i);
    }
  }

  /** The listener to hand to node {@code nodeId} when it starts. */
  public TallyListener listener(int nodeId) {
    return new TallyListener() {
      @Override
      public void onEvent(TallyEvent event, TallyState after) {
        BenchRecorder.this.onEvent(nodeId, event, System.nanoTime());
      }

      @Override
      public void onVerified(Vote vote) {
        onPropagated(nodeId, vote, System.nanoTime());
      }
    };
  }

  /** Vote propagation: cast at its node -> verified at peer {@code atNode} (honest nodes only). */
  void onPropagated(int atNode, Vote vote, long now) {
    Track t = tracks.get(vote.txId());
    Integer p = position.get(vote.nodeId());
    int byz = byzantineNode;
    Integer at = position.get(atNode);
    if (t != null && p != null && at != null && vote.nodeId() != byz && atNode != byz) {
      if (t.arrived[at][p] == 0) {
        t.arrived[at][p] = now;
      }
      long cast = t.castNanos[p];
      if (cast != 0) {
        propagation.recordNanos(now - cast);
      }
      // The sender's observers hear of the journaled vote before it is sent (NodeGuardian), so
      // this is set unless the tx began before the reset.
      long journaled = t.arrived[p][p];
      if (journaled != 0) {
        wire.recordNanos(now - journaled);
      }
    }
  }

  void expectCommits(boolean commits) {
    this.commits = commits;
  }

  /** False when the driver cannot see votes arrive at the nodes (no propagation figures). */
  void observeVotes(boolean observes) {
    this.observesVotes = observes;
  }

  /** Node {@code nodeId} misbehaves: its decisions do not count, the others' detections do. */
  void byzantine(int nodeId) {
    this.byzantineNode = nodeId;
  }

  void onComplete(Consumer<String> callback) {
    this.onComplete = callback;
  }

  /** Starts tracking {@code txId}. */
  void begin(String txId) {
    tracks.put(txId, new Track(n));
  }

  /** Node {@code nodeId} is about to cast its vote for {@code txId}. */
  void cast(String txId, int nodeId, long nanos) {
    Track t = tracks.get(txId);
    if (t != null) {
      t.castNanos[position.get(nodeId)] = nanos;
      t.firstCast.compareAndSet(0, nanos);
    }
  }

  /** Forgets everything recorded so far (after the warm-up); late events of its txs are ignored. */
  void reset() {
    tracks.clear();
    for (LatencyHistogram h :
        List.of(
            propagation,
            decision,
            decisionAll,
            commit,
            ownVoteJournaled,
            wire,
            decisionJournaled,
            committedAfterDecision)) {
      h.reset();
    }
    for (LongAdder a : List.of(decidedTxs, committedTxs, abortedTxs, completedTxs, detections)) {
      a.reset();
    }
    lastDecidedNanos.set(0);
    lastCommittedNanos.set(0);
    detectedTxs.clear();
  }

  int inFlight() {
    return tracks.size();
  }

  /** Txs in which an honest node recorded a DOUBLE_VOTING. */
  long txsWithDetection() {
    return detectedTxs.size();
  }

  private int honest() {
    return byzantineNode == 0 ? n : n - 1;
  }

  void onEvent(int atNode, TallyEvent event, long now) {
    if (event instanceof TallyEvent.VoteCounted vc) {
      voteCounted(atNode, event.txId(), vc.vote().nodeId(), now);
    } else if (event instanceof TallyEvent.ThresholdReached tr) {
      decisionJournaled(atNode, event.txId(), tr.certificate().votes(), now);
      markDecided(atNode, event.txId(), now);
      decided(atNode, event.txId(), now);
    } else if (event instanceof TallyEvent.Committed) {
      committedAfterDecision(atNode, event.txId(), now);
      committed(atNode, event.txId(), now);
    } else if (event instanceof TallyEvent.Aborted) {
      aborted(atNode, event.txId(), now);
    } else if (event instanceof TallyEvent.DoubleVoteDetected d) {
      doubleVoteDetected(atNode, event.txId(), d.nodeId());
    }
  }

  private void voteCounted(int atNode, String txId, int voter, long now) {
    Track t = tracks.get(txId);
    Integer p = position.get(voter);
    int byz = byzantineNode;
    if (t == null || p == null || voter == byz || atNode == byz) {
      return;
    }
    if (voter == atNode) {
      // A node's own vote counts at that node once journaled; it is sent to the peers after.
      t.arrived[p][p] = now;
      long cast = t.castNanos[p];
      if (cast != 0) {
        ownVoteJournaled.recordNanos(now - cast);
      }
      return;
    }
    t.counted.incrementAndGet();
    dropIfSettled(txId, t);
  }

  /**
   * THRESHOLD_REACHED journaled at {@code atNode}: the time since the last of the certificate's
   * votes reached that node (its own vote once journaled, a peer's once verified). Not recorded
   * when an arrival was not seen.
   */
  private void decisionJournaled(int atNode, String txId, List<Vote> certified, long now) {
    Track t = tracks.get(txId);
    Integer at = position.get(atNode);
    if (t == null || at == null || atNode == byzantineNode) {
      return;
    }
    long last = 0;
    for (Vote v : certified) {
      Integer p = position.get(v.nodeId());
      long arrived = p == null ? 0 : t.arrived[at][p];
      if (arrived == 0) {
        return;
      }
      last = Math.max(last, arrived);
    }
    decisionJournaled.recordNanos(now - last);
  }

  private void markDecided(int atNode, String txId, long now) {
    Track t = tracks.get(txId);
    Integer at = position.get(atNode);
    if (t != null && at != null) {
      t.decidedAt[at] = now;
    }
  }

  /**
   * COMMITTED journaled at {@code atNode}: the time since THRESHOLD_REACHED was journaled there
   * (the etcd outbox, the store in etcd, the tally's COMMITTED event). Not recorded when the
   * decision was not seen.
   */
  private void committedAfterDecision(int atNode, String txId, long now) {
    Track t = tracks.get(txId);
    Integer at = position.get(atNode);
    if (t == null || at == null || atNode == byzantineNode || t.decidedAt[at] == 0) {
      return;
    }
    committedAfterDecision.recordNanos(now - t.decidedAt[at]);
  }

  /** Node {@code atNode} reached THRESHOLD_REACHED for {@code txId} at {@code now} (nanoTime). */
  public void decided(int atNode, String txId, long now) {
    Track t = tracks.get(txId);
    if (t == null || atNode == byzantineNode) {
      return;
    }
    decision.recordNanos(now - t.firstCast.get());
    if (t.decided.incrementAndGet() == honest()) {
      decisionAll.recordNanos(now - t.firstCast.get());
      decidedTxs.increment();
      lastDecidedNanos.accumulateAndGet(now, Math::max);
      if (!commits) {
        complete(txId, t);
      }
    }
    dropIfSettled(txId, t);
  }

  /** Node {@code atNode} moved {@code txId} to COMMITTED at {@code now} (nanoTime). */
  public void committed(int atNode, String txId, long now) {
    Track t = tracks.get(txId);
    if (t == null || atNode == byzantineNode) {
      return;
    }
    commit.recordNanos(now - t.firstCast.get());
    if (t.committed.incrementAndGet() == honest()) {
      committedTxs.increment();
      lastCommittedNanos.accumulateAndGet(now, Math::max);
      complete(txId, t);
    }
    dropIfSettled(txId, t);
  }

  /** Node {@code atNode} aborted {@code txId}. */
  public void aborted(int atNode, String txId, long now) {
    Track t = tracks.get(txId);
    if (t == null || atNode == byzantineNode) {
      return;
    }
    if (t.aborted.incrementAndGet() == 1) {
      abortedTxs.increment();
      complete(txId, t);
    }
    dropIfSettled(txId, t);
  }

  /** Node {@code atNode} recorded a DOUBLE_VOTING by {@code offender} on {@code txId}. */
  public void doubleVoteDetected(int atNode, String txId, int offender) {
    if (atNode == offender || atNode == byzantineNode) {
      return;
    }
    detections.increment();
    detectedTxs.add(txId);
  }

  private void dropIfSettled(String txId, Track t) {
    int h = honest();
    if (t.done && (!observesVotes || t.counted.get() >= h * (h - 1))) {
      tracks.remove(txId, t);
    }
  }

  private void complete(String txId, Track t) {
    synchronized (t) {
      if (t.done) {
        return;
      }
      t.done = true;
    }
    completedTxs.increment();
    onComplete.accept(txId);
  }

  /** Per-tx bookkeeping while it is open somewhere. */
  private static final class Track {
    final long[] castNanos;
    // arrived[a][v]: when member v's vote first reached member a (positions); [v][v]: when v
    // journaled it. Each cell has one writer, node a's observer; other threads read a cell only
    // after a message sent after the write (a's tally, or for [v][v] the vote's broadcast).
    final long[][] arrived;
    // decidedAt[a]: when member a journaled THRESHOLD_REACHED; written and read by a's observer.
    final long[] decidedAt;
    final AtomicLong firstCast = new AtomicLong();
    final AtomicInteger decided = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();
    final AtomicInteger aborted = new AtomicInteger();
    final AtomicInteger counted = new AtomicInteger();
    volatile boolean done;

    Track(int n) {
      castNanos = new long[n];
      arrived = new long[n][n];
      decidedAt = new long[n];
    }
  }
}
