package io.mtlsvoting.persistence.journal;

import com.typesafe.config.Config;
import java.util.Objects;

/**
 * Validated batching settings of the JDBC journal, read once from its plugin block ({@code
 * mtls-voting.persistence.journal}); every error message names the offending key.
 *
 * @param dbPath config path of the database block
 * @param batchMaxRows most event rows written in one group-commit transaction
 * @param readBatchMaxIds most persistence ids answered by one highest-sequence-number query
 * @param readMaxInFlight most highest-sequence-number queries running at once
 * @param knownIds the filter that answers recovery reads of ids without events
 */
record JournalSettings(
    String dbPath,
    int batchMaxRows,
    int readBatchMaxIds,
    int readMaxInFlight,
    KnownIdsSettings knownIds) {

  /**
   * {@code known-ids}: on or off, the ids the filter is sized for at least, its false-positive rate
   * (the share of new ids still read from the database), how long after a failed scan of the
   * journal's ids the next one may start, and the prefix of the ids it covers ("" = all).
   */
  record KnownIdsSettings(
      boolean enabled,
      long capacity,
      double falsePositiveRate,
      long retryAfterMillis,
      String idPrefix) {
    KnownIdsSettings {
      Objects.requireNonNull(idPrefix, "idPrefix");
      if (capacity < 1) {
        throw new IllegalArgumentException(
            "mtls-voting.persistence.journal.known-ids.capacity must be >= 1, was " + capacity);
      }
      if (!(falsePositiveRate > 0 && falsePositiveRate < 1)) {
        throw new IllegalArgumentException(
            "mtls-voting.persistence.journal.known-ids.false-positive-rate must be > 0 and < 1,"
                + " was "
                + falsePositiveRate);
      }
      if (retryAfterMillis < 1) {
        throw new IllegalArgumentException(
            "mtls-voting.persistence.journal.known-ids.retry-after must be positive, was "
                + retryAfterMillis
                + " ms");
      }
    }
  }

  /** Checks every field; see the record description. */
  JournalSettings {
    Objects.requireNonNull(dbPath, "dbPath");
    atLeastOne("batch-max-rows", batchMaxRows);
    atLeastOne("read-batch-max-ids", readBatchMaxIds);
    atLeastOne("read-max-in-flight", readMaxInFlight);
    Objects.requireNonNull(knownIds, "knownIds");
  }

  /** Reads the settings from the journal plugin's config block. */
  static JournalSettings fromConfig(Config pluginConfig) {
    return new JournalSettings(
        pluginConfig.getString("db-path"),
        pluginConfig.getInt("batch-max-rows"),
        pluginConfig.getInt("read-batch-max-ids"),
        pluginConfig.getInt("read-max-in-flight"),
        new KnownIdsSettings(
            pluginConfig.getBoolean("known-ids.enabled"),
            pluginConfig.getLong("known-ids.capacity"),
            pluginConfig.getDouble("known-ids.false-positive-rate"),
            pluginConfig.getDuration("known-ids.retry-after").toMillis(),
            pluginConfig.getString("known-ids.id-prefix")));
  }

  private static void atLeastOne(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "mtls-voting.persistence.journal." + key + " must be >= 1, was " + value);
    }
  }
}
