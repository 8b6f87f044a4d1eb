package io.mtlsvoting.persistence.journal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces highest-sequence-number reads: every recovering persistent actor asks for one, and
 * almost all ask about new ids. Requests queue up here; each task takes up to {@code maxIds} of
 * them and answers them with one query, and at most {@code maxInFlight} such queries run at once.
 * There is no timer: whatever queues while queries run forms the next batch. A failed query fails
 * exactly the requests it carried.
 */
final class HighestSequenceNrBatcher {

  private static final Logger log = LoggerFactory.getLogger(HighestSequenceNrBatcher.class);

  /** The batched query; must answer every id it is given (0 for an id with no events). */
  @FunctionalInterface
  interface Lookup {
    Map<String, Long> highest(List<String> persistenceIds) throws SQLException;
  }

  private record Request(String persistenceId, CompletableFuture<Long> done) {}

  private final Lookup lookup;
  private final Executor executor;
  private final int maxIds;
  private final int maxInFlight;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();

  HighestSequenceNrBatcher(Lookup lookup, Executor executor, int maxIds, int maxInFlight) {
    this.lookup = lookup;
    this.executor = executor;
    this.maxIds = maxIds;
    this.maxInFlight = maxInFlight;
  }

  /** The highest sequence number ever written for {@code persistenceId}; 0 if none. */
  CompletableFuture<Long> highest(String persistenceId) {
    Request request = new Request(persistenceId, new CompletableFuture<>());
    queue.add(request);
    scheduleDrain();
    return request.done();
  }

  // A request queued while all slots are busy is picked up by the task that frees a slot: both
  // sides check the other's state after changing their own (queue, then count; count, then queue).
  private void scheduleDrain() {
    while (!queue.isEmpty()) {
      int n = running.get();
      if (n >= maxInFlight) {
        return;
      }
      if (running.compareAndSet(n, n + 1)) {
        try {
          executor.execute(this::drainOnce);
        } catch (RuntimeException e) {
          running.decrementAndGet();
          failAll(e);
        }
        return;
      }
    }
  }

  // One query per task keeps the dispatcher fair to writes and replays.
  private void drainOnce() {
    try {
      List<Request> batch = takeBatch();
      if (!batch.isEmpty()) {
        answer(batch);
      }
    } finally {
      running.decrementAndGet();
      scheduleDrain();
    }
  }

  private List<Request> takeBatch() {
    List<Request> batch = new ArrayList<>();
    Request next;
    while (batch.size() < maxIds && (next = queue.poll()) != null) {
      batch.add(next);
    }
    return batch;
  }

  private void answer(List<Request> batch) {
    Map<String, Long> highest;
    try {
      highest = lookup.highest(batch.stream().map(Request::persistenceId).distinct().toList());
    } catch (Exception | LinkageError e) {
      log.warn("Highest sequence number query for {} ids failed: {}", batch.size(), e.toString());
      batch.forEach(r -> r.done().completeExceptionally(e));
      return;
    }
    for (Request r : batch) {
      Long value = highest.get(r.persistenceId());
      if (value == null) {
        // Guessing 0 could make an actor reuse sequence numbers; refuse instead.
        r.done()
            .completeExceptionally(
                new IllegalStateException(
                    "No highest sequence number returned for " + r.persistenceId()));
      } else {
        r.done().complete(value);
      }
    }
  }

  private void failAll(Exception cause) {
    Request r;
    while ((r = queue.poll()) != null) {
      r.done().completeExceptionally(cause);
    }
  }
}
