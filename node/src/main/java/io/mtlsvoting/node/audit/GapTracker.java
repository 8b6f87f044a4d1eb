package io.mtlsvoting.node.audit;

import io.mtlsvoting.persistence.audit.ProjectionOffset;
import io.mtlsvoting.persistence.audit.TxHorizon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Where the audit projection stands in the journal's global ordering, immutable. The journal
 * assigns orderings at insert and several writers (the nodes sharing the database) commit
 * concurrently, so a lower ordering can become visible after a higher one. Every ordering up to
 * {@code head} was projected except the {@code gaps}, which are read again on each poll; a gap is
 * given up once every database transaction that was running when it was seen has ended (so it can
 * only be a rolled-back insert) and {@code minWait} has passed.
 *
 * @param head highest ordering read
 * @param gaps orderings below head not yet seen, with when they were seen missing
 */
record GapTracker(long head, NavigableMap<Long, GapTracker.Notice> gaps) {

  /** More missing orderings than this in one jump are not tracked (logged by the caller). */
  static final int MAX_GAPS = 10_000;

  /** When a gap was first seen: the database's transaction horizon and the clock. */
  record Notice(TxHorizon horizon, long seenAtMillis) {}

  GapTracker {
    gaps = Collections.unmodifiableNavigableMap(new TreeMap<>(gaps));
  }

  /** Resumes from a stored offset; its gaps count as seen now. */
  static GapTracker resume(ProjectionOffset offset, TxHorizon horizon, long now) {
    TreeMap<Long, Notice> gaps = new TreeMap<>();
    offset.gaps().forEach(g -> gaps.put(g, new Notice(horizon, now)));
    return new GapTracker(offset.head(), gaps);
  }

  /** Every ordering up to the watermark is projected or given up. */
  long watermark() {
    return gaps.isEmpty() ? head : gaps.firstKey() - 1;
  }

  ProjectionOffset toOffset(String name) {
    return new ProjectionOffset(name, watermark(), head, new ArrayList<>(gaps.keySet()));
  }

  /** Orderings between head and the ascending {@code read} ones that were not read. */
  List<Long> missing(List<Long> read) {
    List<Long> missing = new ArrayList<>();
    long expected = head + 1;
    for (long o : read) {
      for (long g = expected; g < o && missing.size() <= MAX_GAPS; g++) {
        missing.add(g);
      }
      expected = Math.max(expected, o + 1);
    }
    return missing;
  }

  /**
   * Moves head past the ascending {@code read} orderings and tracks {@code missing} (from {@link
   * #missing}) as gaps seen at {@code horizon}; more than {@link #MAX_GAPS} are not tracked.
   */
  GapTracker advance(List<Long> read, List<Long> missing, TxHorizon horizon, long now) {
    if (read.isEmpty()) {
      return this;
    }
    TreeMap<Long, Notice> next = new TreeMap<>(gaps);
    if (missing.size() <= MAX_GAPS) {
      missing.forEach(g -> next.put(g, new Notice(horizon, now)));
    }
    return new GapTracker(Math.max(head, read.get(read.size() - 1)), next);
  }

  /** The gaps in {@code found} are now projected. */
  GapTracker fill(Collection<Long> found) {
    if (found.isEmpty()) {
      return this;
    }
    TreeMap<Long, Notice> next = new TreeMap<>(gaps);
    found.forEach(next::remove);
    return new GapTracker(head, next);
  }

  /** True when some gap is old enough that {@link #settle} might give it up. */
  boolean hasAgedGaps(long now, Duration minWait) {
    return gaps.values().stream().anyMatch(n -> now - n.seenAtMillis() >= minWait.toMillis());
  }

  /** The gaps to give up at {@code current}: aged, and every transaction then running ended. */
  List<Long> settled(TxHorizon current, long now, Duration minWait) {
    List<Long> out = new ArrayList<>();
    gaps.forEach(
        (g, n) -> {
          if (now - n.seenAtMillis() >= minWait.toMillis() && current.passed(n.horizon())) {
            out.add(g);
          }
        });
    return out;
  }
}
