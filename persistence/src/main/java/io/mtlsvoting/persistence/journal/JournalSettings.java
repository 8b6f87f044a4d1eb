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
 */
record JournalSettings(String dbPath, int batchMaxRows, int readBatchMaxIds, int readMaxInFlight) {

  /** Checks every field; see the record description. */
  JournalSettings {
    Objects.requireNonNull(dbPath, "dbPath");
    atLeastOne("batch-max-rows", batchMaxRows);
    atLeastOne("read-batch-max-ids", readBatchMaxIds);
    atLeastOne("read-max-in-flight", readMaxInFlight);
  }

  /** Reads the settings from the journal plugin's config block. */
  static JournalSettings fromConfig(Config pluginConfig) {
    return new JournalSettings(
        pluginConfig.getString("db-path"),
        pluginConfig.getInt("batch-max-rows"),
        pluginConfig.getInt("read-batch-max-ids"),
        pluginConfig.getInt("read-max-in-flight"));
  }

  private static void atLeastOne(String key, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(
          "mtls-voting.persistence.journal." + key + " must be >= 1, was " + value);
    }
  }
}
