package io.mtlsvoting.node.etcd;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the {@link EtcdWriter}, read once from the {@code mtls-voting.etcd} block; the
 * connection settings themselves are {@code EtcdSettings} in the persistence module.
 *
 * @param maxInFlight most consensus writes and tally commits outstanding at once
 * @param consensusBatch most QCs stored in one etcd transaction
 * @param outboxSnapshotEvery snapshot the outbox every this many events
 * @param maxPendingBans most ban writes queued while etcd is unreachable
 * @param retryMin first retry delay while etcd is unreachable
 * @param retryMax largest retry delay
 * @param startupTimeout how long the start-up config check waits for etcd
 */
public record EtcdWriterSettings(
    int maxInFlight,
    int consensusBatch,
    int outboxSnapshotEvery,
    int maxPendingBans,
    Duration retryMin,
    Duration retryMax,
    Duration startupTimeout) {

  /** Largest {@code consensus-batch}: etcd refuses transactions of more than 128 operations. */
  public static final int MAX_CONSENSUS_BATCH = 128;

  /** Validates every field, naming the config key in errors. */
  public EtcdWriterSettings {
    Objects.requireNonNull(retryMin, "retryMin");
    Objects.requireNonNull(retryMax, "retryMax");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("etcd.max-in-flight must be >= 1, got " + maxInFlight);
    }
    if (consensusBatch < 1 || consensusBatch > MAX_CONSENSUS_BATCH) {
      throw new IllegalArgumentException(
          "etcd.consensus-batch must be within 1.."
              + MAX_CONSENSUS_BATCH
              + " (etcd's default --max-txn-ops is 128), got "
              + consensusBatch);
    }
    if (outboxSnapshotEvery < 1) {
      throw new IllegalArgumentException(
          "etcd.outbox-snapshot-every must be >= 1, got " + outboxSnapshotEvery);
    }
    if (maxPendingBans < 1) {
      throw new IllegalArgumentException(
          "etcd.max-pending-bans must be >= 1, got " + maxPendingBans);
    }
    if (retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
      throw new IllegalArgumentException(
          "etcd.retry: need 0 < min <= max, got min " + retryMin + ", max " + retryMax);
    }
    if (startupTimeout.isNegative() || startupTimeout.isZero()) {
      throw new IllegalArgumentException(
          "etcd.startup-timeout must be positive, got " + startupTimeout);
    }
  }

  /** The documented defaults (as in reference.conf). */
  public static EtcdWriterSettings defaults() {
    return new EtcdWriterSettings(
        256, 64, 500, 1024, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(30));
  }

  /**
   * Reads the writer's keys of the {@code mtls-voting.etcd} block.
   *
   * @param etcd the block itself ({@code config.getConfig("mtls-voting.etcd")})
   */
  public static EtcdWriterSettings fromConfig(Config etcd) {
    Objects.requireNonNull(etcd, "etcd");
    try {
      return new EtcdWriterSettings(
          etcd.getInt("max-in-flight"),
          etcd.getInt("consensus-batch"),
          etcd.getInt("outbox-snapshot-every"),
          etcd.getInt("max-pending-bans"),
          etcd.getDuration("retry.min"),
          etcd.getDuration("retry.max"),
          etcd.getDuration("startup-timeout"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("mtls-voting.etcd: " + e.getMessage(), e);
    }
  }

  /** Exponential backoff after {@code failures} consecutive failures (1 = first failure). */
  public Duration retryDelay(int failures) {
    int shift = Math.max(0, Math.min(failures - 1, 20));
    long millis = retryMin.toMillis() << shift;
    return millis <= 0 || millis > retryMax.toMillis() ? retryMax : Duration.ofMillis(millis);
  }

  /** The same settings with other retry bounds (tests). */
  public EtcdWriterSettings withRetry(Duration min, Duration max) {
    return new EtcdWriterSettings(
        maxInFlight, consensusBatch, outboxSnapshotEvery, maxPendingBans, min, max, startupTimeout);
  }
}
