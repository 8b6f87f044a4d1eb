package io.mtlsvoting.node.audit;

import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.audit.AuditRepository;
import io.mtlsvoting.persistence.audit.AuditRow;
import io.mtlsvoting.persistence.audit.ProjectionOffset;
import io.mtlsvoting.persistence.audit.TxHorizon;
import io.mtlsvoting.persistence.journal.JournalReader;
import io.mtlsvoting.persistence.journal.JournalRow;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.pekko.serialization.Serialization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One blocking step of a node's audit projection (run on the JDBC dispatcher by {@link
 * AuditWriter}): read the journal after the offset and the gaps behind it, every row's ordering but
 * only the events of this node's tallies and ban registry, map them and write rows and offset in
 * one transaction.
 */
final class AuditProjector {

  private static final Logger log = LoggerFactory.getLogger(AuditProjector.class);

  /** What a step did: the new position and the journal rows it read. */
  record Step(GapTracker tracker, int read, int projected) {}

  private final int selfId;
  private final List<String> audited;
  private final String name;
  private final AuditSettings settings;
  private final JournalReader reader;
  private final AuditRepository repository;
  private final Serialization serialization;
  private final ProjectionFaults faults;
  private final LongSupplier clock;

  AuditProjector(
      int selfId,
      AuditSettings settings,
      JournalReader reader,
      AuditRepository repository,
      Serialization serialization,
      ProjectionFaults faults,
      LongSupplier clock) {
    this.selfId = selfId;
    // The tallies (VoteTally, node-<id>|tx-<tx>) and the ban registry (node-<id>|reputation) of
    // this node: the events of its other journals (the etcd outbox) make no audit rows.
    this.audited =
        List.of(VoteTally.persistenceId(selfId, "").id(), BanRegistry.persistenceId(selfId).id());
    this.name = AuditWriter.projectionName(selfId);
    this.settings = settings;
    this.reader = reader;
    this.repository = repository;
    this.serialization = serialization;
    this.faults = faults;
    this.clock = clock;
  }

  /** The stored position (gaps count as seen now). */
  GapTracker load() throws SQLException {
    ProjectionOffset offset = repository.loadOffset(name);
    TxHorizon horizon = offset.gaps().isEmpty() ? new TxHorizon(0, 0) : repository.horizon();
    return GapTracker.resume(offset, horizon, clock.getAsLong());
  }

  /** Projects the next batch after {@code from}. */
  Step step(GapTracker from) throws SQLException {
    long now = clock.getAsLong();
    int batch = settings.batchSize();
    List<JournalRow> rows = new ArrayList<>();
    List<Long> found = List.of();
    if (!from.gaps().isEmpty()) {
      // Only the missing orderings are read again, not the rows between them.
      JournalReader.Page late =
          reader.eventsAt(from.gaps().keySet().stream().limit(batch).toList(), audited);
      rows.addAll(late.events());
      found = late.orderings();
    }
    JournalReader.Page fresh = reader.eventsAfter(from.head(), batch, audited);
    rows.addAll(fresh.events());

    GapTracker next = from.fill(found);
    List<Long> read = fresh.orderings();
    List<Long> missing = next.missing(read);
    if (missing.size() > GapTracker.MAX_GAPS) {
      log.warn(
          "Audit projection {}: {}+ journal orderings missing, not waiting for them",
          name,
          GapTracker.MAX_GAPS);
    }
    next = next.advance(read, missing, missing.isEmpty() ? null : repository.horizon(), now);
    if (next.hasAgedGaps(now, settings.gapMinWait())) {
      List<Long> settled = next.settled(repository.horizon(), now, settings.gapMinWait());
      if (!settled.isEmpty()) {
        log.info("Audit projection {}: journal orderings {} never committed", name, settled);
        next = next.fill(settled);
      }
    }
    if (rows.isEmpty() && next.equals(from)) {
      return new Step(from, 0, 0);
    }

    rows.sort(Comparator.comparingLong(JournalRow::ordering));
    List<AuditRow> audit = new ArrayList<>();
    Map<Long, Instant> journaledAt = new HashMap<>();
    for (JournalRow r : rows) {
      Object event = deserialize(r);
      if (event != null) {
        List<AuditRow> mapped = AuditMapper.rows(selfId, r.ordering(), event);
        if (!mapped.isEmpty()) {
          audit.addAll(mapped);
          journaledAt.put(r.ordering(), Instant.ofEpochMilli(r.writeTimestamp()));
        }
      }
    }
    ProjectionOffset offset = next.toOffset(name);
    faults.beforeWrite(audit, offset);
    repository.apply(audit, journaledAt, offset);
    return new Step(next, read.size(), audit.size());
  }

  /** The event, or null (logged) when it cannot be read: one bad row must not stop the trail. */
  private Object deserialize(JournalRow r) {
    try {
      return serialization.deserialize(r.payload(), r.serializerId(), r.manifest()).get();
    } catch (Exception e) {
      log.error(
          "Audit projection {}: cannot deserialize {} seq {} (ordering {}, manifest {}); skipped",
          name,
          r.persistenceId(),
          r.sequenceNr(),
          r.ordering(),
          r.manifest(),
          e);
      return null;
    }
  }
}
