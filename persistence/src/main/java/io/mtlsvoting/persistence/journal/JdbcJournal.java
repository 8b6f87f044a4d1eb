package io.mtlsvoting.persistence.journal;

import com.typesafe.config.Config;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.japi.pf.ReceiveBuilder;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.PartialFunction;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;

/**
 * Pekko Persistence journal on plain JDBC/PostgreSQL ({@code event_journal}). Writes from all
 * persistence ids go through one {@link WriteBatcher} (group commit) and highest-sequence-number
 * reads through one {@link HighestSequenceNrBatcher}, except those of ids that {@link KnownIds}
 * knows have no events, answered at once; replays and deletes run on the plugin's JDBC dispatcher.
 * Configured under {@code mtls-voting.persistence.journal}.
 */
public final class JdbcJournal extends AsyncWriteJournal {

  private static final Logger log = LoggerFactory.getLogger(JdbcJournal.class);

  /** Asks the journal actor for its {@link KnownIds.Stats}: an Optional, empty when it is off. */
  static final class GetKnownIdsStats {
    static final GetKnownIdsStats INSTANCE = new GetKnownIdsStats();

    private GetKnownIdsStats() {}
  }

  private final DataSourceRegistry.Lease lease;
  private final JournalDao dao;
  private final EventSerializer serializer;
  private final WriteBatcher batcher;
  private final HighestSequenceNrBatcher highest;
  // Null when journal.known-ids.enabled is off.
  private final KnownIds knownIds;
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
    if (settings.knownIds().enabled()) {
      this.knownIds =
          new KnownIds(
              dao::forEachPersistenceId,
              settings.knownIds().idPrefix(),
              jdbcExecutor,
              settings.knownIds().capacity(),
              settings.knownIds().falsePositiveRate(),
              settings.knownIds().retryAfterMillis(),
              System::nanoTime);
      knownIds.start();
    } else {
      this.knownIds = null;
    }
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
    CompletableFuture<Void> written;
    if (knownIds != null && !rows.isEmpty()) {
      Set<String> ids = new LinkedHashSet<>();
      rows.forEach(row -> ids.add(row.persistenceId()));
      long token = knownIds.writing(ids);
      written = batcher.submit(rows).whenComplete((done, error) -> knownIds.written(token));
    } else {
      written = batcher.submit(rows);
    }
    return AsyncJdbc.toScala(written.thenApply(done -> outcome));
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
    if (knownIds != null && knownIds.absent(persistenceId)) {
      return Future.successful(0L);
    }
    return AsyncJdbc.toScala(highest.highest(persistenceId));
  }

  @Override
  public PartialFunction<Object, BoxedUnit> receivePluginInternal() {
    return ReceiveBuilder.create()
        .match(
            GetKnownIdsStats.class,
            m -> sender().tell(Optional.ofNullable(knownIds).map(KnownIds::stats), self()))
        .build()
        .onMessage();
  }

  @Override
  public void postStop() throws Exception {
    if (knownIds != null) {
      KnownIds.Stats stats = knownIds.stats();
      log.info(
          "JDBC journal stopping: {} recovery reads of new ids answered without a query ({}"
              + " scans of the journal's ids, {} failed; about {} ids known)",
          stats.answered(),
          stats.scans(),
          stats.failedScans(),
          stats.approximateIds());
    }
    lease.close();
    super.postStop();
  }
}
