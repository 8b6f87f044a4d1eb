package io.mtlsvoting.persistence.journal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-writer group commit: writes submitted by the journal queue up here and one task at a time
 * drains up to {@code maxRows} of them into one JDBC transaction, then completes each caller's
 * future. FIFO draining keeps every persistence id's events in submission order.
 */
final class WriteBatcher {

  private static final Logger log = LoggerFactory.getLogger(WriteBatcher.class);

  /** SQLSTATE class 23: integrity constraint violation (for example a duplicate sequence nr). */
  private static final String CONSTRAINT_VIOLATION_CLASS = "23";

  private record Request(List<SerializedEvent> rows, CompletableFuture<Void> done) {}

  private final JournalDao dao;
  private final Executor executor;
  private final int maxRows;
  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  WriteBatcher(JournalDao dao, Executor executor, int maxRows) {
    this.dao = dao;
    this.executor = executor;
    this.maxRows = maxRows;
  }

  /** Queues {@code rows} to be written atomically; the future completes after the commit. */
  CompletableFuture<Void> submit(List<SerializedEvent> rows) {
    if (rows.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Request request = new Request(rows, new CompletableFuture<>());
    queue.add(request);
    scheduleDrain();
    return request.done();
  }

  private void scheduleDrain() {
    if (draining.compareAndSet(false, true)) {
      try {
        executor.execute(this::drainOnce);
      } catch (RuntimeException e) {
        draining.set(false);
        failAll(e);
      }
    }
  }

  // One batch per task keeps the dispatcher fair to replays and reads.
  private void drainOnce() {
    try {
      List<Request> batch = takeBatch();
      if (!batch.isEmpty()) {
        write(batch);
      }
    } finally {
      draining.set(false);
      if (!queue.isEmpty()) {
        scheduleDrain();
      }
    }
  }

  private List<Request> takeBatch() {
    List<Request> batch = new ArrayList<>();
    int rows = 0;
    Request next;
    while (rows < maxRows && (next = queue.poll()) != null) {
      batch.add(next);
      rows += next.rows().size();
    }
    return batch;
  }

  private void write(List<Request> batch) {
    List<SerializedEvent> rows = new ArrayList<>();
    for (Request r : batch) {
      rows.addAll(r.rows());
    }
    try {
      dao.insert(rows);
      batch.forEach(r -> r.done().complete(null));
    } catch (SQLException e) {
      if (batch.size() > 1 && isConstraintViolation(e)) {
        // One caller's bad write (a sequence nr already taken) must not fail unrelated callers.
        log.debug("Batch of {} writes hit a constraint; writing them one by one", batch.size());
        batch.forEach(this::writeAlone);
      } else {
        log.warn("Journal batch of {} rows failed: {}", rows.size(), e.toString());
        batch.forEach(r -> r.done().completeExceptionally(e));
      }
    } catch (RuntimeException e) {
      log.warn("Journal batch of {} rows failed", rows.size(), e);
      batch.forEach(r -> r.done().completeExceptionally(e));
    }
  }

  private void writeAlone(Request request) {
    try {
      dao.insert(request.rows());
      request.done().complete(null);
    } catch (SQLException | RuntimeException e) {
      request.done().completeExceptionally(e);
    }
  }

  private void failAll(Exception cause) {
    Request r;
    while ((r = queue.poll()) != null) {
      r.done().completeExceptionally(cause);
    }
  }

  private static boolean isConstraintViolation(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith(CONSTRAINT_VIOLATION_CLASS);
  }
}
