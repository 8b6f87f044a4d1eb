package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.protocol.Vote;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Timestamps what a benchmark run's nodes journal (via one {@link TallyListener} per node) against
 * the moments votes were cast, and keeps latency histograms; a tx's bookkeeping is dropped once all
 * its votes were counted everywhere and it is complete, so memory stays flat over long runs.
 */
public final class BenchRecorder {
  private final List<Integer> members;
  private final Map<Integer, Integer> position = new ConcurrentHashMap<>();
  private final int n;
  private volatile boolean commits;
  private volatile Consumer<String> onComplete = tx -> {};
  private final Map<String, Track> tracks = new ConcurrentHashMap<>();

  final LatencyHistogram propagation = new LatencyHistogram();
  final LatencyHistogram decision = new LatencyHistogram();
  final LatencyHistogram decisionAll = new LatencyHistogram();
  final LatencyHistogram commit = new LatencyHistogram();
  final LongAdder decidedTxs = new LongAdder();
  final LongAdder committedTxs = new LongAdder();
  final LongAdder abortedTxs = new LongAdder();
  final LongAdder completedTxs = new LongAdder();
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
        onPropagated(vote, System.nanoTime());
      }
    };
  }

  /** Vote propagation: cast at its node -> verified at a peer. */
  private void onPropagated(Vote vote, long now) {
    Track t = tracks.get(vote.txId());
    Integer p = position.get(vote.nodeId());
    if (t != null && p != null) {
      long cast = t.castNanos[p];
      if (cast != 0) {
        propagation.recordNanos(now - cast);
      }
    }
  }

  void expectCommits(boolean commits) {
    this.commits = commits;
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

  int inFlight() {
    return tracks.size();
  }

  private void onEvent(int atNode, TallyEvent event, long now) {
    Track t = tracks.get(event.txId());
    if (t == null) {
      return;
    }
    if (event instanceof TallyEvent.VoteCounted vc) {
      int voter = vc.vote().nodeId();
      Integer p = position.get(voter);
      if (voter != atNode && p != null) {
        t.counted.incrementAndGet();
      }
    } else if (event instanceof TallyEvent.ThresholdReached) {
      decision.recordNanos(now - t.firstCast.get());
      if (t.decided.incrementAndGet() == n) {
        decisionAll.recordNanos(now - t.firstCast.get());
        decidedTxs.increment();
        lastDecidedNanos.accumulateAndGet(now, Math::max);
        if (!commits) {
          complete(event.txId(), t);
        }
      }
    } else if (event instanceof TallyEvent.Committed) {
      commit.recordNanos(now - t.firstCast.get());
      if (t.committed.incrementAndGet() == n) {
        committedTxs.increment();
        lastCommittedNanos.accumulateAndGet(now, Math::max);
        complete(event.txId(), t);
      }
    } else if (event instanceof TallyEvent.Aborted) {
      if (t.aborted.incrementAndGet() == 1) {
        abortedTxs.increment();
        complete(event.txId(), t);
      }
    }
    if (t.done && t.counted.get() >= n * (n - 1)) {
      tracks.remove(event.txId(), t);
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
    final AtomicLong firstCast = new AtomicLong();
    final AtomicInteger decided = new AtomicInteger();
    final AtomicInteger committed = new AtomicInteger();
    final AtomicInteger aborted = new AtomicInteger();
    final AtomicInteger counted = new AtomicInteger();
    volatile boolean done;

    Track(int n) {
      castNanos = new long[n];
    }
  }
}
