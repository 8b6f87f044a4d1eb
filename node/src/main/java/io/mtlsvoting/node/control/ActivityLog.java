package io.mtlsvoting.node.control;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.protocol.TxSummary;
import io.mtlsvoting.protocol.ViolationView;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the monitor shows of recent tally activity: the latest transactions with their state, the
 * latest violations and decision counters. A {@link TallyListener}, so it sees every journaled
 * event; bounded, and its work per event is a few map operations under a short lock.
 */
public final class ActivityLog implements TallyListener {
  static final int MAX_TRANSACTIONS = 200;
  static final int MAX_VIOLATIONS = 50;

  private final int selfId;
  private final Map<String, TxSummary> transactions =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TxSummary> eldest) {
          return size() > MAX_TRANSACTIONS;
        }
      };
  private final Deque<ViolationView> violations = new ArrayDeque<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

  public ActivityLog(int selfId) {
    this.selfId = selfId;
  }

  @Override
  public void onEvent(TallyEvent event, TallyState after) {
    TxSummary summary = ControlViews.summary(after);
    synchronized (this) {
      transactions.remove(after.txId());
      transactions.put(after.txId(), summary);
    }
    if (event instanceof TallyEvent.Opened) {
      count("tx.opened");
    } else if (event instanceof TallyEvent.ThresholdReached) {
      count("tx.threshold-reached");
    } else if (event instanceof TallyEvent.Committed) {
      count("tx.committed");
    } else if (event instanceof TallyEvent.Aborted a) {
      count("tx." + a.outcome().name().toLowerCase().replace('_', '-'));
    }
    int before = after.violations().size();
    ViolationView newest = newestViolation(event, after, before);
    if (newest != null) {
      count("violations." + newest.type().toLowerCase().replace('_', '-'));
      synchronized (this) {
        violations.addFirst(newest);
        while (violations.size() > MAX_VIOLATIONS) {
          violations.removeLast();
        }
      }
    }
  }

  private ViolationView newestViolation(TallyEvent event, TallyState after, int size) {
    boolean violation =
        event instanceof TallyEvent.DoubleVoteDetected
            || event instanceof TallyEvent.InvalidSignatureDetected
            || event instanceof TallyEvent.MinorityVoteDetected
            || event instanceof TallyEvent.SilentFailureDetected;
    if (!violation || size == 0) {
      return null;
    }
    return ControlViews.violation(after.violations().get(size - 1), after.txId(), selfId);
  }

  private void count(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  /** The most recently changed transactions, newest first, at most {@code limit}. */
  public synchronized List<TxSummary> recentTransactions(int limit) {
    List<TxSummary> all = new ArrayList<>(transactions.values());
    List<TxSummary> out = new ArrayList<>();
    for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
      out.add(all.get(i));
    }
    return out;
  }

  /** The latest violations this node detected, newest first. */
  public synchronized List<ViolationView> recentViolations() {
    return List.copyOf(violations);
  }

  /** Decision and violation counters since start. */
  public Map<String, Long> counters() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
