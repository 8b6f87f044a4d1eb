package io.mtlsvoting.persistence.etcd;

import java.time.Duration;

/** Waits for a condition by polling with a generous deadline, never by a fixed sleep. */
public final class Poll {
  private Poll() {}

  /** An assertion that may throw until the condition holds. */
  @FunctionalInterface
  public interface Check {
    /** Throws (an {@link AssertionError} or any exception) while the condition does not hold. */
    void run() throws Exception;
  }

  /**
   * Re-runs {@code check} every 50 ms until it passes; after {@code deadline} rethrows its last
   * failure.
   */
  public static void until(Duration deadline, Check check) throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (Exception | AssertionError e) {
        if (System.nanoTime() > end) {
          AssertionError failed = new AssertionError("condition not met within " + deadline, e);
          throw failed;
        }
      }
      Thread.sleep(50);
    }
  }
}
