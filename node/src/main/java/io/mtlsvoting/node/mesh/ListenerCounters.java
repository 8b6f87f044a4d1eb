package io.mtlsvoting.node.mesh;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Thread-safe counters behind {@link ListenerStats}. */
final class ListenerCounters {
  private final AtomicLong accepted = new AtomicLong();
  private final Map<String, AtomicLong> rejections = new ConcurrentHashMap<>();
  private volatile String lastRejection;

  void accepted() {
    accepted.incrementAndGet();
  }

  void rejected(String category, String reason) {
    rejections.computeIfAbsent(category, c -> new AtomicLong()).incrementAndGet();
    lastRejection = category + ": " + reason;
  }

  ListenerStats snapshot() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    rejections.forEach((k, v) -> copy.put(k, v.get()));
    return new ListenerStats(accepted.get(), copy, Optional.ofNullable(lastRejection));
  }
}
