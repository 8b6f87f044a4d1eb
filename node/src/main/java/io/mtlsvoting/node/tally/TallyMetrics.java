package io.mtlsvoting.node.tally;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters of things that are counted rather than journaled: ignored votes by reason,
 * refused evidence, dropped verification work. One instance per node, read by info/monitor.
 */
public final class TallyMetrics {
  static final LongAdder GLOBAL_LISTENER_FAILURES = new LongAdder();

  private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final JournalHealth journal = new JournalHealth(this);

  public void increment(String name) {
    counters.computeIfAbsent(name, k -> new LongAdder()).increment();
  }

  public void increment(String name, long delta) {
    counters.computeIfAbsent(name, k -> new LongAdder()).add(delta);
  }

  /** The state of this node's journal as its tallies see it. */
  public JournalHealth journal() {
    return journal;
  }

  public long get(String name) {
    LongAdder a = counters.get(name);
    return a == null ? 0 : a.sum();
  }

  /** A sorted copy of all counters. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    out.put("listener-failures", GLOBAL_LISTENER_FAILURES.sum());
    return out;
  }
}
