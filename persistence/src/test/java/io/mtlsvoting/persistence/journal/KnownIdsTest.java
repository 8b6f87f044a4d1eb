package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The filter of ids with events, without a database: scans are run by hand (a queue of tasks) and
 * the clock is set by the test.
 */
class KnownIdsTest {

  /** A scan returning the ids it is given, or failing while {@code failing} is set. */
  private static final class FakeTable implements KnownIds.Scan {
    final List<String> ids = new ArrayList<>();
    boolean failing;

    @Override
    public void forEachId(String prefix, Consumer<String> sink) throws SQLException {
      if (failing) {
        throw new SQLException("connection refused");
      }
      ids.stream().filter(id -> id.startsWith(prefix)).forEach(sink);
    }
  }

  private final ManualExecutor executor = new ManualExecutor();
  private final FakeTable table = new FakeTable();
  private final AtomicLong nanos = new AtomicLong();

  private KnownIds knownIds(long capacity) {
    return new KnownIds(table, "", executor, capacity, 0.01, 30_000, nanos::get);
  }

  private static List<String> ids(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }

  @Test
  void nothingIsAbsentBeforeTheFirstScanHasFinished() {
    KnownIds known = knownIds(1000);
    known.start();

    assertFalse(known.absent("node-1|tx-new"));
    assertFalse(known.stats().loaded());

    executor.runAll();
    assertTrue(known.absent("node-1|tx-new"));
    assertEquals(1, known.stats().answered());
  }

  @Test
  void idsTheScanFoundAndIdsWrittenSinceAreNeverAbsentAndMostOthersAre() {
    table.ids.addAll(ids("node-1|tx-old-", 2000));
    KnownIds known = knownIds(10_000);
    known.start();
    executor.runAll();
    List<String> written = ids("node-1|tx-written-", 2000);
    known.written(known.writing(written));

    for (String id : table.ids) {
      assertFalse(known.absent(id), id);
    }
    for (String id : written) {
      assertFalse(known.absent(id), id);
    }
    // About 1% of the ids never seen are false positives (read from the database): far from all.
    long absent = ids("node-1|tx-never-", 10_000).stream().filter(known::absent).count();
    assertTrue(absent > 9_500, "absent: " + absent);
  }

  @Test
  void idsOutsideThePrefixAreNeitherLoadedNorAnsweredFromTheFilter() {
    table.ids.addAll(List.of("node-1|tx-a", "node-2|tx-a"));
    KnownIds known = new KnownIds(table, "node-1|", executor, 1000, 0.01, 30_000, nanos::get);
    known.start();
    executor.runAll();

    assertFalse(known.absent("node-1|tx-a"));
    assertTrue(known.absent("node-1|tx-new"));
    // Another node's ids (here one with events, one without) always go to the database.
    assertFalse(known.absent("node-2|tx-a"));
    assertFalse(known.absent("node-2|tx-new"));
    known.written(known.writing(List.of("node-2|tx-b", "node-1|tx-b")));
    assertEquals(2, known.stats().approximateIds());
  }

  @Test
  void anIdWrittenWhileTheFirstScanRunsIsKept() {
    KnownIds known = knownIds(1000);
    known.start();
    // The write commits after the scan's snapshot: the scan does not return it.
    long token = known.writing(List.of("node-1|tx-during"));
    executor.runAll();
    known.written(token);

    assertFalse(known.absent("node-1|tx-during"));
  }

  @Test
  void aFullFilterIsReplacedByALargerOneKeepingTheIdsOfWritesStillInFlight() {
    KnownIds known = knownIds(100);
    known.start();
    executor.runAll();
    List<String> committed = ids("node-1|tx-committed-", 80);
    known.written(known.writing(committed));
    table.ids.addAll(committed);
    assertTrue(executor.tasks.isEmpty(), "no scan while within capacity");
    // Past its capacity: this write starts the growth scan, which will not see it.
    List<String> inFlight = ids("node-1|tx-in-flight-", 40);
    long token = known.writing(inFlight);
    assertEquals(1, executor.tasks.size());

    executor.runAll();
    known.written(token);

    KnownIds.Stats stats = known.stats();
    assertEquals(2, stats.scans());
    assertTrue(stats.capacity() >= 200, "capacity: " + stats.capacity());
    for (String id : committed) {
      assertFalse(known.absent(id), id);
    }
    for (String id : inFlight) {
      assertFalse(known.absent(id), id);
    }
  }

  @Test
  void afterAFailedScanNothingIsAbsentUntilARetryAfterTheDelaySucceeds() {
    table.failing = true;
    KnownIds known = knownIds(1000);
    known.start();
    executor.runAll();
    assertEquals(1, known.stats().failedScans());
    assertFalse(known.absent("node-1|tx-new"));

    table.failing = false;
    known.written(known.writing(List.of("node-1|tx-a")));
    table.ids.add("node-1|tx-a");
    assertTrue(executor.tasks.isEmpty(), "no scan before retry-after");

    nanos.addAndGet(30_000_000_000L);
    long token = known.writing(List.of("node-1|tx-b"));
    executor.runAll();
    known.written(token);

    assertTrue(known.stats().loaded());
    assertTrue(known.absent("node-1|tx-new"));
    assertFalse(known.absent("node-1|tx-a"));
    assertFalse(known.absent("node-1|tx-b"));
  }
}
