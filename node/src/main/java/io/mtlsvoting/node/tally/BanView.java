package io.mtlsvoting.node.tally;

import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * The shared, thread-safe read view of the banned node ids. Only {@link BanRegistry} writes it,
 * after journaling; tallies read it lock-free, and the {@link VoteRouter} listens for new bans to
 * drop the node's votes from open tallies.
 */
public final class BanView implements IntPredicate {
  private final AtomicReference<Set<Integer>> banned = new AtomicReference<>(Set.of());
  private final CopyOnWriteArrayList<IntConsumer> listeners = new CopyOnWriteArrayList<>();

  @Override
  public boolean test(int nodeId) {
    return banned.get().contains(nodeId);
  }

  /** An immutable snapshot of the banned ids. */
  public Set<Integer> snapshot() {
    return banned.get();
  }

  /** Registers a listener told of each newly banned id (on the writer's thread; must not block). */
  public void addListener(IntConsumer onBan) {
    listeners.add(onBan);
  }

  public void removeListener(IntConsumer onBan) {
    listeners.remove(onBan);
  }

  void ban(int nodeId) {
    Set<Integer> before = banned.getAndUpdate(s -> with(s, nodeId, true));
    if (!before.contains(nodeId)) {
      listeners.forEach(l -> l.accept(nodeId));
    }
  }

  void unban(int nodeId) {
    banned.getAndUpdate(s -> with(s, nodeId, false));
  }

  /** Replaces the whole set (after recovery) and tells listeners of ids not banned before. */
  void replace(Set<Integer> ids) {
    Set<Integer> before = banned.getAndSet(Set.copyOf(ids));
    for (int id : ids) {
      if (!before.contains(id)) {
        listeners.forEach(l -> l.accept(id));
      }
    }
  }

  private static Set<Integer> with(Set<Integer> s, int id, boolean add) {
    TreeSet<Integer> copy = new TreeSet<>(s);
    if (add) {
      copy.add(id);
    } else {
      copy.remove(id);
    }
    return Set.copyOf(copy);
  }
}
