package io.mtlsvoting.node.tally;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the tallies of one node know about their journal: whether the last write or recovery failed,
 * and how many commands are held for re-delivery. Logs one WARN when an outage begins and one INFO
 * when the journal works again, and counts into {@link TallyMetrics} ({@code journal.*}).
 */
public final class JournalHealth {
  private static final Logger log = LoggerFactory.getLogger(JournalHealth.class);

  private final TallyMetrics metrics;
  private final AtomicReference<String> problem = new AtomicReference<>();
  private final AtomicReference<String> lastProblem = new AtomicReference<>();
  private volatile long lastProblemNanos;
  private final AtomicLong heldNow = new AtomicLong();
  private final AtomicLong heldThisOutage = new AtomicLong();
  private final AtomicLong refusedThisOutage = new AtomicLong();

  JournalHealth(TallyMetrics metrics) {
    this.metrics = metrics;
  }

  /** The last journal failure, while no write or recovery has succeeded since. */
  public Optional<String> problem() {
    return Optional.ofNullable(problem.get());
  }

  /** The last journal failure if it happened after {@code sinceNanos} (a System.nanoTime()). */
  public Optional<String> problemSince(long sinceNanos) {
    String last = lastProblem.get();
    return last != null && lastProblemNanos - sinceNanos >= 0 ? Optional.of(last) : problem();
  }

  /** Commands currently held by tallies until their journal works again. */
  public long held() {
    return heldNow.get();
  }

  /** A tally's write or recovery failed with {@code cause}. */
  void failed(Throwable cause) {
    String reason = describe(cause);
    lastProblemNanos = System.nanoTime();
    lastProblem.set(reason);
    if (problem.getAndSet(reason) == null) {
      log.warn("journal unavailable ({}): holding peer votes, refusing own votes", reason);
    }
  }

  /** A tally holds {@code command} for re-delivery after its restart. */
  void held(VoteTally.Command command) {
    metrics.increment("journal.held");
    long now = heldNow.incrementAndGet();
    if (heldThisOutage.getAndIncrement() == 0) {
      log.warn(
          "journal unavailable: holding {} votes (first: {}); they are re-delivered when it"
              + " returns",
          now,
          command.getClass().getSimpleName());
    }
  }

  /** A held command was dropped because its tally's bound was exceeded. */
  void dropped(VoteTally.Command command, String txId) {
    metrics.increment("journal.held-dropped");
    log.warn(
        "journal unavailable: hold limit of tx {} exceeded, dropped {}",
        txId,
        command.getClass().getSimpleName());
  }

  /** An own vote was refused because its write failed. */
  void refused() {
    metrics.increment("journal.cast-refused");
    refusedThisOutage.incrementAndGet();
  }

  /** {@code count} held commands were handed back to their restarted tally. */
  void redelivered(int count) {
    metrics.increment("journal.redelivered", count);
    heldNow.addAndGet(-count);
  }

  /** A write or recovery succeeded: the journal works. */
  void succeeded() {
    String was = problem.getAndSet(null);
    if (was != null) {
      log.info(
          "journal available again after: {}; {} votes were held for re-delivery, {} own votes"
              + " refused",
          was,
          heldThisOutage.getAndSet(0),
          refusedThisOutage.getAndSet(0));
    }
  }

  /** The innermost message of {@code cause}, which names the database error. */
  static String describe(Throwable cause) {
    Throwable t = cause;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
