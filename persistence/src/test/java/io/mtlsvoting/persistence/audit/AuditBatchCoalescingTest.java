package io.mtlsvoting.persistence.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mtlsvoting.persistence.audit.CoalescedBatch.TxChange;
import io.mtlsvoting.persistence.audit.CoalescedBatch.TxKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** {@link CoalescedBatch} merges the rows of a batch into one write per key, in row order. */
class AuditBatchCoalescingTest {

  static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

  /** Journal time of ordering {@code o}: T + o seconds. */
  static final Map<Long, Instant> JOURNALED =
      LongStream.range(0, 1_000)
          .boxed()
          .collect(Collectors.toMap(Function.identity(), o -> T.plusSeconds(o)));

  static AuditRow.VoteRow vote(int by, long ord, String tx, int node, long value, boolean counted) {
    return new AuditRow.VoteRow(
        by, ord, tx, node, value, T.plusMillis(ord), new byte[] {(byte) ord}, counted);
  }

  @Test
  void severalChangesOfOneTxBecomeOneChangeWithTheFinalState() {
    CoalescedBatch b =
        CoalescedBatch.of(
            List.of(
                new AuditRow.TxOpenedRow(1, 10, "tx", T, T.plusSeconds(30)),
                vote(1, 11, "tx", 1, 7, true),
                new AuditRow.TxStateRow(
                    1, 12, "tx", "THRESHOLD_REACHED", true, 7, "{\"qc\":1}", null),
                new AuditRow.SafetyAlarmRow(1, 13, "tx", "first alarm"),
                new AuditRow.TxStateRow(1, 14, "tx", "COMMITTED", true, 7, null, null),
                new AuditRow.SafetyAlarmRow(1, 15, "tx", "second alarm")),
            JOURNALED);

    TxKey key = new TxKey(1, "tx");
    assertEquals(
        Map.of(
            key,
            new TxChange(
                key,
                "COMMITTED",
                14,
                true,
                7,
                "{\"qc\":1}",
                null,
                T.plusSeconds(12),
                T.plusSeconds(14),
                T,
                T.plusSeconds(30),
                "second alarm")),
        b.transactions());
    assertEquals(1, b.countedVotes().size());
  }

  @Test
  void theLaterOrderingSetsTheStateWhateverTheRowOrder() {
    CoalescedBatch b =
        CoalescedBatch.of(
            List.of(
                new AuditRow.TxStateRow(1, 20, "tx", "ABORTED_TIMEOUT", false, 0, null, "late"),
                new AuditRow.TxOpenedRow(1, 5, "tx", T, T.plusSeconds(30)),
                new AuditRow.TxStateRow(1, 9, "tx", "THRESHOLD_REACHED", true, 3, "{}", null)),
            JOURNALED);
    TxChange t = b.transactions().get(new TxKey(1, "tx"));
    assertEquals("ABORTED_TIMEOUT", t.state());
    assertEquals(20, t.stateOrdering());
    // Column by column as the rows applied in list order: the last value and certificate given,
    // the first decision time.
    assertEquals(3, t.value());
    assertEquals("{}", t.certificateJson());
    assertEquals("late", t.outcomeReason());
    assertEquals(T.plusSeconds(20), t.decidedAt());
    assertNull(t.committedAt());
  }

  @Test
  void severalScoresAndBansOfOneNodeKeepTheLatest() {
    CoalescedBatch b =
        CoalescedBatch.of(
            List.of(
                new AuditRow.ScoreRow(1, 30, 4, 0.9),
                new AuditRow.ScoreRow(1, 32, 4, 0.7),
                new AuditRow.BanRow(1, 33, 4, true, "low score"),
                new AuditRow.ScoreRow(1, 31, 4, 0.8),
                new AuditRow.ScoreRow(2, 29, 4, 0.5),
                new AuditRow.BanRow(1, 40, 4, false, null),
                new AuditRow.ScoreRow(1, 40, 4, 1.0),
                // The same ordering again: the first row applied stays.
                new AuditRow.ScoreRow(1, 40, 4, 0.1)),
            JOURNALED);
    assertEquals(
        List.of(new AuditRow.ScoreRow(1, 40, 4, 1.0), new AuditRow.ScoreRow(2, 29, 4, 0.5)),
        b.scores());
    assertEquals(List.of(new AuditRow.BanRow(1, 40, 4, false, null)), b.bans());
  }

  @Test
  void theSameTxOfTwoObserversStaysTwoChanges() {
    CoalescedBatch b =
        CoalescedBatch.of(
            List.of(
                new AuditRow.TxOpenedRow(1, 1, "tx", T, T.plusSeconds(30)),
                new AuditRow.TxOpenedRow(2, 2, "tx", T.plusSeconds(1), T.plusSeconds(31)),
                new AuditRow.TxStateRow(2, 3, "tx", "ABORTED_SPLIT", false, 0, null, "split"),
                new AuditRow.TxStateRow(1, 4, "tx", "THRESHOLD_REACHED", true, 9, "{}", null)),
            JOURNALED);
    assertEquals(2, b.transactions().size());
    assertEquals("THRESHOLD_REACHED", b.transactions().get(new TxKey(1, "tx")).state());
    assertEquals(T, b.transactions().get(new TxKey(1, "tx")).firstVoteAt());
    assertEquals("ABORTED_SPLIT", b.transactions().get(new TxKey(2, "tx")).state());
    assertEquals(T.plusSeconds(1), b.transactions().get(new TxKey(2, "tx")).firstVoteAt());
  }

  @Test
  void eachVoteIsWrittenByItsFirstRow() {
    AuditRow.VoteRow counted = vote(1, 50, "tx", 2, 5, true);
    AuditRow.VoteRow evidenceFirst = vote(1, 51, "tx", 3, 6, false);
    AuditRow.VoteRow countedLater = vote(1, 52, "tx", 3, 6, true);
    AuditRow.VoteRow otherObserver = vote(2, 56, "tx", 2, 5, true);
    CoalescedBatch b =
        CoalescedBatch.of(
            List.of(
                counted,
                vote(1, 53, "tx", 2, 5, true), // counted again: nothing more
                vote(1, 54, "tx", 2, 5, false), // evidence of a counted vote: nothing
                evidenceFirst,
                countedLater,
                vote(1, 55, "tx", 3, 6, false),
                otherObserver),
            JOURNALED);
    assertEquals(List.of(counted, countedLater, otherObserver), b.countedVotes());
    // Written before the counted votes, the evidence row is then counted, as in row order.
    assertEquals(List.of(evidenceFirst), b.evidenceVotes());
    assertEquals(Map.of(), b.transactions());
  }
}
