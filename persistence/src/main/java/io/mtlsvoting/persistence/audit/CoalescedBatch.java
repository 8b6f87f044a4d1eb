package io.mtlsvoting.persistence.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One batch of audit rows with the writes that supersede each other merged, so that each key is
 * written once: one change per {@code transactions} row, the latest score and ban per reputation
 * row, the first row of each vote. Each column's update in {@link AuditSql} composes (the later
 * ordering wins, the last non-null wins, the first non-null wins, or counts add up), so one merged
 * write leaves the same row as the rows applied one by one in list order. One key per statement is
 * also what lets the driver send a batch of upserts as one multi-row INSERT, which PostgreSQL
 * refuses when it would update the same row twice.
 */
final class CoalescedBatch {

  /** A row of {@code transactions}. */
  record TxKey(int observedBy, String txId) {}

  /** A row of {@code reputation_scores}. */
  record NodeKey(int observedBy, int nodeId) {}

  /** A vote of {@code votes}. */
  private record VoteKey(int observedBy, String txId, int nodeId, long value) {}

  /**
   * Everything one batch changes in one {@code transactions} row besides vote_count. {@code state}
   * is null when no row of the batch sets it (a row created now is then COLLECTING); the other
   * nullable fields are null when unchanged.
   */
  record TxChange(
      TxKey key,
      String state,
      long stateOrdering,
      boolean hasValue,
      long value,
      String certificateJson,
      String outcomeReason,
      Instant decidedAt,
      Instant committedAt,
      Instant firstVoteAt,
      Instant deadlineAt,
      String safetyAlarm) {

    /** No change (a row that only counted votes touch). */
    static TxChange none(TxKey key) {
      return new TxChange(key, null, 0, false, 0, null, null, null, null, null, null, null);
    }

    /** As TX_OPENED after this: the later ordering sets the state, the times are overwritten. */
    TxChange opened(AuditRow.TxOpenedRow o) {
      boolean later = state == null || stateOrdering < o.ordering();
      return new TxChange(
          key,
          later ? "COLLECTING" : state,
          later ? o.ordering() : stateOrdering,
          hasValue,
          value,
          certificateJson,
          outcomeReason,
          decidedAt,
          committedAt,
          o.openedAt(),
          o.deadline(),
          safetyAlarm);
    }

    /**
     * As TX_STATE after this: the later ordering sets the state, a given value, certificate or
     * reason replaces the one before, and the first decision and commit time stay.
     */
    TxChange state(AuditRow.TxStateRow t, Instant journaledAt) {
      boolean later = state == null || stateOrdering < t.ordering();
      // Leaving COLLECTING is the decision (threshold or abort); a commit follows a decision.
      boolean committed = t.state().equals("COMMITTED");
      return new TxChange(
          key,
          later ? t.state() : state,
          later ? t.ordering() : stateOrdering,
          hasValue || t.hasValue(),
          t.hasValue() ? t.value() : value,
          t.certificateJson() != null ? t.certificateJson() : certificateJson,
          t.reason() != null ? t.reason() : outcomeReason,
          decidedAt == null && !committed ? journaledAt : decidedAt,
          committedAt == null && committed ? journaledAt : committedAt,
          firstVoteAt,
          deadlineAt,
          safetyAlarm);
    }

    /** As SAFETY_ALARM after this: the alarm is overwritten. */
    TxChange alarm(AuditRow.SafetyAlarmRow a) {
      return new TxChange(
          key,
          state,
          stateOrdering,
          hasValue,
          value,
          certificateJson,
          outcomeReason,
          decidedAt,
          committedAt,
          firstVoteAt,
          deadlineAt,
          a.alarm());
    }
  }

  private final List<AuditRow.VoteRow> countedVotes = new ArrayList<>();
  private final List<AuditRow.VoteRow> evidenceVotes = new ArrayList<>();
  private final List<AuditRow.ViolationRow> violations = new ArrayList<>();
  private final Map<NodeKey, AuditRow.ScoreRow> scores = new LinkedHashMap<>();
  private final Map<NodeKey, AuditRow.BanRow> bans = new LinkedHashMap<>();
  private final Map<TxKey, TxChange> transactions = new LinkedHashMap<>();

  private CoalescedBatch() {}

  /**
   * Merges {@code rows} in list order; {@code journaledAt} gives the journal time of each row's
   * ordering (the decision and commit times).
   */
  static CoalescedBatch of(List<AuditRow> rows, Map<Long, Instant> journaledAt) {
    CoalescedBatch b = new CoalescedBatch();
    Set<VoteKey> seen = new HashSet<>();
    Set<VoteKey> counted = new HashSet<>();
    for (AuditRow row : rows) {
      if (row instanceof AuditRow.VoteRow v) {
        VoteKey key = new VoteKey(v.observedBy(), v.txId(), v.nodeId(), v.value());
        boolean first = seen.add(key);
        // Evidence of a vote already written is a no-op, and so is counting a counted vote again.
        if (!v.counted() && first) {
          b.evidenceVotes.add(v);
        } else if (v.counted() && counted.add(key)) {
          b.countedVotes.add(v);
        }
      } else if (row instanceof AuditRow.ViolationRow x) {
        b.violations.add(x);
      } else if (row instanceof AuditRow.ScoreRow s) {
        // The later ordering wins; of equal orderings the first applied.
        b.scores.merge(
            new NodeKey(s.observedBy(), s.nodeId()),
            s,
            (old, now) -> old.ordering() < now.ordering() ? now : old);
      } else if (row instanceof AuditRow.BanRow ban) {
        b.bans.merge(
            new NodeKey(ban.observedBy(), ban.nodeId()),
            ban,
            (old, now) -> old.ordering() < now.ordering() ? now : old);
      } else if (row instanceof AuditRow.TxOpenedRow o) {
        b.tx(o.observedBy(), o.txId(), c -> c.opened(o));
      } else if (row instanceof AuditRow.TxStateRow t) {
        Instant at = Objects.requireNonNull(journaledAt.get(t.ordering()), "journal time");
        b.tx(t.observedBy(), t.txId(), c -> c.state(t, at));
      } else if (row instanceof AuditRow.SafetyAlarmRow a) {
        b.tx(a.observedBy(), a.txId(), c -> c.alarm(a));
      }
    }
    return b;
  }

  private void tx(int observedBy, String txId, UnaryOperator<TxChange> change) {
    TxKey key = new TxKey(observedBy, txId);
    transactions.put(key, change.apply(transactions.getOrDefault(key, TxChange.none(key))));
  }

  /** Counted votes, the first per (observer, tx, node, value), in row order. */
  List<AuditRow.VoteRow> countedVotes() {
    return Collections.unmodifiableList(countedVotes);
  }

  /**
   * Votes known only as evidence that come before any other row of the same vote, in row order:
   * written before the counted votes, they leave the rows the row-by-row order would.
   */
  List<AuditRow.VoteRow> evidenceVotes() {
    return Collections.unmodifiableList(evidenceVotes);
  }

  /** Violations, in row order (each adds to a counter only when new, so none is merged). */
  List<AuditRow.ViolationRow> violations() {
    return Collections.unmodifiableList(violations);
  }

  /** The latest score row per reputation row. */
  List<AuditRow.ScoreRow> scores() {
    return List.copyOf(scores.values());
  }

  /** The latest ban row per reputation row. */
  List<AuditRow.BanRow> bans() {
    return List.copyOf(bans.values());
  }

  /** The merged change per transactions row, in order of first appearance. */
  Map<TxKey, TxChange> transactions() {
    return Collections.unmodifiableMap(transactions);
  }
}
