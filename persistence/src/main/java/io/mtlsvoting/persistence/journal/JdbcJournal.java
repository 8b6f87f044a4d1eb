package io.mtlsvoting.persistence.journal;

import com.typesafe.config.Config;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;

/**
 * Pekko Persistence journal on plain JDBC/PostgreSQL ({@code event_journal}). Writes from all
 * persistence ids go through one {@link WriteBatcher} (group commit) and highest-sequence-number
 * reads through one {@link HighestSequenceNrBatcher}; replays and deletes run on the plugin's JDBC
 * dispatcher. Configured under {@code mtls-voting.persistence.journal}.
 */
public final class JdbcJournal extends AsyncWriteJournal {

  private static final Logger log = LoggerFactory.getLogger(JdbcJournal.class);

  private final DataSourceRegistry.Lease lease;
  private final JournalDao dao;
  private final EventSerializer serializer;
  private final WriteBatcher batcher;
  private final HighestSequenceNrBatcher highest;
  private final Executor jdbcExecutor;

  /** Called by Pekko with the plugin's config block. */
  public JdbcJournal(Config pluginConfig) {
    Config root = context().system().settings().config();
    JournalSettings settings = JournalSettings.fromConfig(pluginConfig);
    DbSettings db = DbSettings.fromConfig(root, settings.dbPath());
    this.jdbcExecutor = context().dispatcher();
    this.lease = DataSourceRegistry.acquire(db);
    this.dao = new JournalDao(lease.dataSource());
    this.serializer = new EventSerializer(context().system());
    this.batcher = new WriteBatcher(dao, jdbcExecutor, settings.batchMaxRows());
    this.highest =
        new HighestSequenceNrBatcher(
            dao::highestSequenceNrs,
            jdbcExecutor,
            settings.readBatchMaxIds(),
            settings.readMaxInFlight());
    log.info(
        "JDBC journal started on {} (writes: batches of up to {} rows; highest sequence nr reads:"
            + " up to {} ids per query, {} queries at once)",
        db.url(),
        settings.batchMaxRows(),
        settings.readBatchMaxIds(),
        settings.readMaxInFlight());
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(
      Iterable<AtomicWrite> messages) {
    List<Optional<Exception>> results = new ArrayList<>();
    List<SerializedEvent> rows = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (AtomicWrite write : messages) {
      try {
        rows.addAll(serializer.serialize(write, now));
        results.add(Optional.empty());
      } catch (Exception e) {
        // Rejects this atomic write only; the persistent actor sees onPersistRejected.
        log.warn(
            "Rejecting events of {}: not serializable: {}", write.persistenceId(), e.toString());
        results.add(Optional.of(e));
      }
    }
    Iterable<Optional<Exception>> outcome = results;
    return AsyncJdbc.toScala(batcher.submit(rows).thenApply(done -> outcome));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return AsyncJdbc.run(
        jdbcExecutor,
        () -> {
          dao.deleteTo(persistenceId, toSequenceNr);
          return null;
        });
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Consumer<PersistentRepr> replayCallback) {
    return AsyncJdbc.run(
        jdbcExecutor,
        () -> {
          dao.replay(persistenceId, fromSequenceNr, toSequenceNr, max, serializer, replayCallback);
          return null;
        });
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return AsyncJdbc.toScala(highest.highest(persistenceId));
  }

  @Override
  public void postStop() throws Exception {
    lease.close();
    super.postStop();
  }
}
