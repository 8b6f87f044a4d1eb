package io.mtlsvoting.node.audit;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the {@link AuditWriter}, read once from {@code mtls-voting.audit} (defaults in the
 * persistence module's reference.conf).
 */
public record AuditSettings(
    Duration pollInterval, int batchSize, Duration maxBackoff, Duration gapMinWait) {

  public AuditSettings {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(gapMinWait, "gapMinWait");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException(
          "mtls-voting.audit.poll-interval must be > 0, was " + pollInterval);
    }
    if (batchSize < 1 || batchSize > 100_000) {
      throw new IllegalArgumentException(
          "mtls-voting.audit.batch-size must be within 1..100000, was " + batchSize);
    }
    if (maxBackoff.compareTo(pollInterval) < 0) {
      throw new IllegalArgumentException(
          "mtls-voting.audit.max-backoff must be >= poll-interval, was " + maxBackoff);
    }
    if (gapMinWait.isNegative()) {
      throw new IllegalArgumentException(
          "mtls-voting.audit.gap-min-wait must be >= 0, was " + gapMinWait);
    }
  }

  /** Reads {@code mtls-voting.audit}. */
  public static AuditSettings fromConfig(Config root) {
    Config c = root.getConfig("mtls-voting.audit");
    return new AuditSettings(
        c.getDuration("poll-interval"),
        c.getInt("batch-size"),
        c.getDuration("max-backoff"),
        c.getDuration("gap-min-wait"));
  }
}
