package io.mtlsvoting.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.audit.ProjectionOffset;
import io.mtlsvoting.persistence.audit.TxHorizon;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Gap bookkeeping of the audit projection, without a database. */
class GapTrackerTest {

  static final TxHorizon SEEN = new TxHorizon(100, 105);
  static final Duration WAIT = Duration.ofSeconds(1);

  @Test
  void holesBehindTheHeadBecomeGapsAndHoldTheWatermark() {
    GapTracker t = GapTracker.resume(ProjectionOffset.start("p"), SEEN, 0);
    List<Long> read = List.of(1L, 2L, 5L, 7L);
    List<Long> missing = t.missing(read);
    assertEquals(List.of(3L, 4L, 6L), missing);
    t = t.advance(read, missing, SEEN, 0);
    assertEquals(7, t.head());
    assertEquals(2, t.watermark());
    assertEquals(new ProjectionOffset("p", 2, 7, List.of(3L, 4L, 6L)), t.toOffset("p"));

    t = t.fill(List.of(3L, 4L));
    assertEquals(5, t.watermark());
    t = t.fill(List.of(6L));
    assertEquals(7, t.watermark());
    assertTrue(t.gaps().isEmpty());
  }

  @Test
  void aGapIsGivenUpOnlyWhenAgedAndEveryTransactionThenRunningEnded() {
    GapTracker t = GapTracker.resume(ProjectionOffset.start("p"), SEEN, 0);
    t = t.advance(List.of(2L), t.missing(List.of(2L)), SEEN, 0);
    assertEquals(List.of(1L), List.copyOf(t.gaps().keySet()));

    assertFalse(t.hasAgedGaps(999, WAIT));
    assertTrue(t.settled(new TxHorizon(200, 210), 999, WAIT).isEmpty(), "too young");
    assertTrue(t.hasAgedGaps(1000, WAIT));
    assertTrue(t.settled(new TxHorizon(104, 110), 5000, WAIT).isEmpty(), "tx 104 still runs");
    assertEquals(List.of(1L), t.settled(new TxHorizon(105, 110), 1000, WAIT));
  }

  @Test
  void resumesWithTheStoredGaps() {
    GapTracker t = GapTracker.resume(new ProjectionOffset("p", 3, 9, List.of(4L, 8L)), SEEN, 50);
    assertEquals(3, t.watermark());
    assertEquals(9, t.head());
    assertEquals(List.of(4L, 8L), List.copyOf(t.gaps().keySet()));
    assertEquals(List.of(10L, 11L), t.missing(List.of(12L)));
  }

  @Test
  void aHugeJumpIsNotTracked() {
    GapTracker t = GapTracker.resume(ProjectionOffset.start("p"), SEEN, 0);
    List<Long> read = List.of(GapTracker.MAX_GAPS + 10L);
    List<Long> missing = t.missing(read);
    assertTrue(missing.size() > GapTracker.MAX_GAPS);
    t = t.advance(read, missing, SEEN, 0);
    assertTrue(t.gaps().isEmpty());
    assertEquals(GapTracker.MAX_GAPS + 10L, t.watermark());
  }
}
