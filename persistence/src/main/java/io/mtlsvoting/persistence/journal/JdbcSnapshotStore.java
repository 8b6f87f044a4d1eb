package io.mtlsvoting.persistence.journal;

import com.typesafe.config.Config;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;

/**
 * Pekko Persistence snapshot store on plain JDBC/PostgreSQL ({@code snapshot} table), sharing the
 * journal's connection pool. Configured under {@code mtls-voting.persistence.snapshot}.
 */
public final class JdbcSnapshotStore extends SnapshotStore {

  private final DataSourceRegistry.Lease lease;
  private final SnapshotDao dao;
  private final EventSerializer serializer;
  private final Executor jdbcExecutor;

  /** Called by Pekko with the plugin's config block. */
  public JdbcSnapshotStore(Config pluginConfig) {
    Config root = context().system().settings().config();
    DbSettings db = DbSettings.fromConfig(root, pluginConfig.getString("db-path"));
    this.jdbcExecutor = context().dispatcher();
    this.lease = DataSourceRegistry.acquire(db);
    this.dao = new SnapshotDao(lease.dataSource());
    this.serializer = new EventSerializer(context().system());
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    if (criteria.maxSequenceNr() <= 0 || criteria.maxTimestamp() <= 0) {
      // Nothing can match (e.g. SnapshotSelectionCriteria.none(), used by actors that never
      // snapshot): answer without a database round trip.
      return Futures.successful(Optional.empty());
    }
    return AsyncJdbc.run(
        jdbcExecutor,
        () ->
            dao.latest(persistenceId, criteria)
                .map(
                    row ->
                        SelectedSnapshot.create(
                            row.metadata(), serializer.deserializeObject(row.snapshot()))));
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return AsyncJdbc.run(
        jdbcExecutor,
        () -> {
          dao.save(metadata, serializer.serializeObject(snapshot));
          return null;
        });
  }

  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    return AsyncJdbc.run(
        jdbcExecutor,
        () -> {
          dao.delete(metadata);
          return null;
        });
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return AsyncJdbc.run(
        jdbcExecutor,
        () -> {
          dao.deleteMatching(persistenceId, criteria);
          return null;
        });
  }

  @Override
  public void postStop() throws Exception {
    lease.close();
    super.postStop();
  }
}
