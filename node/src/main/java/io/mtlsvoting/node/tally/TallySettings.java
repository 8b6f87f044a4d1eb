package io.mtlsvoting.node.tally;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;

/**
 * Tunables of the tally, read once from {@code mtls-voting.tally} (and the shared {@code
 * mtls-voting.vote-timeout}); constructible directly in tests. Penalties and scores are fractions
 * of the initial reputation 1.0.
 */
public record TallySettings(
    Duration voteTimeout,
    Duration passivateAfter,
    Duration voteFlushDelay,
    Duration voteRequestInterval,
    double minorityPenalty,
    double silentPenalty,
    Duration silentPenaltyInterval,
    double banBelow,
    int verifyParallelism,
    int verifyQueueCapacity) {

  public TallySettings {
    Objects.requireNonNull(voteTimeout, "voteTimeout");
    Objects.requireNonNull(passivateAfter, "passivateAfter");
    if (voteTimeout.isNegative() || voteTimeout.isZero()) {
      throw new IllegalArgumentException("vote-timeout must be > 0, got " + voteTimeout);
    }
    Objects.requireNonNull(voteFlushDelay, "voteFlushDelay");
    if (voteFlushDelay.isNegative()) {
      throw new IllegalArgumentException(
          "tally.vote-flush-delay must be >= 0 (0 = journal every vote at once), got "
              + voteFlushDelay);
    }
    Objects.requireNonNull(voteRequestInterval, "voteRequestInterval");
    if (voteRequestInterval.isNegative()) {
      throw new IllegalArgumentException(
          "tally.vote-request-interval must be >= 0 (0 = never ask peers for missing votes), got "
              + voteRequestInterval);
    }
    if (passivateAfter.isNegative()) {
      throw new IllegalArgumentException(
          "tally.passivate-after must be >= 0, got " + passivateAfter);
    }
    checkFraction("tally.minority-penalty", minorityPenalty);
    checkFraction("tally.silent-penalty", silentPenalty);
    Objects.requireNonNull(silentPenaltyInterval, "silentPenaltyInterval");
    if (silentPenaltyInterval.isNegative()) {
      throw new IllegalArgumentException(
          "tally.silent-penalty-interval must be >= 0 (0 = every SILENT_FAILURE costs), got "
              + silentPenaltyInterval);
    }
    checkFraction("tally.ban-below", banBelow);
    if (verifyParallelism < 0) {
      throw new IllegalArgumentException(
          "tally.verify-parallelism must be >= 0 (0 = cores), got " + verifyParallelism);
    }
    if (verifyQueueCapacity < 1) {
      throw new IllegalArgumentException(
          "tally.verify-queue-capacity must be >= 1, got " + verifyQueueCapacity);
    }
  }

  /** The documented defaults with the given vote timeout. */
  public static TallySettings defaults(Duration voteTimeout) {
    return new TallySettings(
        voteTimeout,
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        Duration.ofSeconds(5),
        0.1,
        0.05,
        Duration.ofSeconds(60),
        0.5,
        0,
        65_536);
  }

  /**
   * Reads {@code mtls-voting.tally.*}; the vote timeout comes from {@code
   * mtls-voting.vote-timeout-secs} when set, else {@code mtls-voting.vote-timeout}.
   */
  public static TallySettings fromConfig(Config root) {
    Config c = root.getConfig("mtls-voting");
    Duration timeout =
        c.hasPath("vote-timeout-secs")
            ? Duration.ofSeconds(c.getLong("vote-timeout-secs"))
            : c.getDuration("vote-timeout");
    Config t = c.getConfig("tally");
    return new TallySettings(
        timeout,
        t.getDuration("passivate-after"),
        t.getDuration("vote-flush-delay"),
        t.getDuration("vote-request-interval"),
        t.getDouble("minority-penalty"),
        t.getDouble("silent-penalty"),
        t.getDuration("silent-penalty-interval"),
        t.getDouble("ban-below"),
        t.getInt("verify-parallelism"),
        t.getInt("verify-queue-capacity"));
  }

  /** Threads of the verification pool: the configured number, or the available cores for 0. */
  public int effectiveVerifyParallelism() {
    return verifyParallelism == 0 ? Runtime.getRuntime().availableProcessors() : verifyParallelism;
  }

  public TallySettings withPassivateAfter(Duration d) {
    return withDurations(d, voteFlushDelay, voteRequestInterval, silentPenaltyInterval);
  }

  public TallySettings withVoteFlushDelay(Duration d) {
    return withDurations(passivateAfter, d, voteRequestInterval, silentPenaltyInterval);
  }

  public TallySettings withSilentPenaltyInterval(Duration d) {
    return withDurations(passivateAfter, voteFlushDelay, voteRequestInterval, d);
  }

  public TallySettings withVoteRequestInterval(Duration d) {
    return withDurations(passivateAfter, voteFlushDelay, d, silentPenaltyInterval);
  }

  /** A copy with these four durations, the rest unchanged (validated again by the constructor). */
  private TallySettings withDurations(
      Duration passivate, Duration flush, Duration request, Duration silentInterval) {
    return new TallySettings(
        voteTimeout,
        passivate,
        flush,
        request,
        minorityPenalty,
        silentPenalty,
        silentInterval,
        banBelow,
        verifyParallelism,
        verifyQueueCapacity);
  }

  private static void checkFraction(String key, double v) {
    if (!(v >= 0.0 && v <= 1.0)) {
      throw new IllegalArgumentException(key + " must be within 0.0..1.0, got " + v);
    }
  }
}
