package io.mtlsvoting.persistence.journal;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistence ids that may have rows in the journal, so that the highest-sequence-number read
 * of an id that has none (every tally's recovery asks it, nearly always for a new tx) is answered
 * without a query. It is a Bloom filter of every id a scan found in the journal tables plus every
 * id this journal wrote since that scan began: an id with rows is never reported absent; an id
 * without is reported absent with probability about 1 - {@code falsePositiveRate}, and otherwise
 * read from the database as before. Until the first scan has finished, and while scans fail,
 * nothing is reported absent.
 *
 * <p>Only ids starting with a prefix (a node's own, "" for all) are covered; others are always
 * read. This holds only while this journal is the only writer of the ids it is asked about, as it
 * is for a node's tallies and outbox (their ids name the node). A scan sees what was committed when
 * it started; the ids of writes still in flight then are carried into the new filter. Should
 * another writer still add rows of an id after the scan (a node started twice at once), an actor of
 * that id is told it has none, and its first write fails on the journal's primary key instead of
 * overwriting anything; the id is known from then on, so the restarted actor reads its events.
 *
 * <p>When the filter holds more ids than it was sized for, a new scan loads one twice as large; the
 * old one answers meanwhile.
 */
final class KnownIds {

  private static final Logger log = LoggerFactory.getLogger(KnownIds.class);

  /**
   * Streams every persistence id starting with {@code prefix} that has a row in the journal
   * (repeats allowed). Blocking.
   */
  @FunctionalInterface
  interface Scan {
    void forEachId(String prefix, Consumer<String> sink) throws SQLException;
  }

  /**
   * What the filter knows: {@code loaded} once a scan finished; {@code capacity} the ids it is
   * sized for; {@code approximateIds} how many it holds; {@code answered} reads it answered with
   * "no rows"; {@code scans} scans finished, {@code failedScans} scans that failed.
   */
  record Stats(
      boolean loaded,
      long capacity,
      long approximateIds,
      long answered,
      long scans,
      long failedScans) {}

  private record Filter(BloomFilter<CharSequence> bloom, long capacity) {
    static Filter of(long capacity, double falsePositiveRate) {
      return new Filter(
          BloomFilter.create(
              Funnels.stringFunnel(StandardCharsets.UTF_8), capacity, falsePositiveRate),
          capacity);
    }
  }

  private final Scan scan;
  private final String idPrefix;
  private final Executor executor;
  private final long minCapacity;
  private final double falsePositiveRate;
  private final long retryAfterNanos;
  private final LongSupplier nanoClock;
  private final LongAdder answered = new LongAdder();

  // The filter that answers (null until a scan finished). Read without the lock; Guava's filter is
  // safe for concurrent puts and reads.
  private volatile Filter current;
  // Guarded by this: the filter a running scan fills, the covered ids of unfinished writes by
  // token, and when the last scan failed.
  private Filter loading;
  private final Map<Long, List<String>> inFlight = new HashMap<>();
  private long nextToken;
  private long failedAtNanos;
  private boolean lastScanFailed;
  private long scans;
  private long failedScans;

  KnownIds(
      Scan scan,
      String idPrefix,
      Executor executor,
      long minCapacity,
      double falsePositiveRate,
      long retryAfterMillis,
      LongSupplier nanoClock) {
    this.scan = scan;
    this.idPrefix = idPrefix;
    this.executor = executor;
    this.minCapacity = minCapacity;
    this.falsePositiveRate = falsePositiveRate;
    this.retryAfterNanos = TimeUnit.MILLISECONDS.toNanos(retryAfterMillis);
    this.nanoClock = nanoClock;
  }

  /** Starts the first scan. */
  synchronized void start() {
    startScan(minCapacity);
  }

  /** True only if {@code persistenceId} surely has no row in the journal. */
  boolean absent(String persistenceId) {
    Filter f = current;
    if (f != null && persistenceId.startsWith(idPrefix) && !f.bloom().mightContain(persistenceId)) {
      answered.increment();
      return true;
    }
    return false;
  }

  /**
   * Records that rows of {@code persistenceIds} are about to be written; call before the write is
   * submitted and pass the token to {@link #written} once it has committed or failed.
   */
  synchronized long writing(Collection<String> persistenceIds) {
    Filter f = current;
    List<String> covered = persistenceIds.stream().filter(id -> id.startsWith(idPrefix)).toList();
    for (String id : covered) {
      if (f != null) {
        f.bloom().put(id);
      }
      if (loading != null) {
        loading.bloom().put(id);
      }
    }
    long token = nextToken++;
    inFlight.put(token, covered);
    // No scan running and none failed lately: scan again if the first one failed (no filter yet)
    // or the filter holds more ids than it was sized for.
    if (loading == null
        && (!lastScanFailed || nanoClock.getAsLong() - failedAtNanos >= retryAfterNanos)) {
      if (f == null) {
        startScan(minCapacity);
      } else if (f.bloom().approximateElementCount() > f.capacity()) {
        startScan(Math.max(minCapacity, 2 * f.bloom().approximateElementCount()));
      }
    }
    return token;
  }

  /** The write of {@link #writing}'s token has finished (committed or not). */
  synchronized void written(long token) {
    inFlight.remove(token);
  }

  /** What the filter knows now. */
  synchronized Stats stats() {
    Filter f = current;
    return new Stats(
        f != null,
        f == null ? 0 : f.capacity(),
        f == null ? 0 : f.bloom().approximateElementCount(),
        answered.sum(),
        scans,
        failedScans);
  }

  // Holds the lock: ids written from now on go into the new filter, those in flight are copied.
  private void startScan(long capacity) {
    Filter next = Filter.of(capacity, falsePositiveRate);
    loading = next;
    inFlight.values().forEach(ids -> ids.forEach(next.bloom()::put));
    try {
      executor.execute(() -> runScan(next));
    } catch (RuntimeException e) {
      scanFailed(next, e);
    }
  }

  private void runScan(Filter next) {
    long started = System.nanoTime();
    long[] rows = {0};
    try {
      scan.forEachId(
          idPrefix,
          id -> {
            next.bloom().put(id);
            rows[0]++;
          });
    } catch (Exception | LinkageError e) {
      scanFailed(next, e);
      return;
    }
    synchronized (this) {
      current = next;
      loading = null;
      lastScanFailed = false;
      scans++;
    }
    log.info(
        "Journal ids loaded: {} ids{} from {} rows in {} ms (sized for {}); recovery reads of"
            + " other ids are answered without a query",
        next.bloom().approximateElementCount(),
        idPrefix.isEmpty() ? "" : " starting with " + idPrefix,
        rows[0],
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        next.capacity());
  }

  private void scanFailed(Filter next, Throwable e) {
    synchronized (this) {
      if (loading == next) {
        loading = null;
      }
      lastScanFailed = true;
      failedAtNanos = nanoClock.getAsLong();
      failedScans++;
    }
    log.warn(
        "Could not load the journal's ids ({}); recovery reads query the database for every id"
            + " until a later scan succeeds",
        e.toString());
  }
}
