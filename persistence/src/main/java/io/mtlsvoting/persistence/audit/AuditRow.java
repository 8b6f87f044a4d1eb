package io.mtlsvoting.persistence.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * One change to the audit tables, derived from one journaled event of {@code observedBy} with
 * global journal {@code ordering}. Every kind is applied as an idempotent upsert whose outcome does
 * not depend on the order rows are applied in. Unsigned 64-bit values are held in a {@code long}.
 */
public sealed interface AuditRow {

  /** The node whose journal held the event. */
  int observedBy();

  /** {@code event_journal.ordering} of the event. */
  long ordering();

  /**
   * A signed vote: {@code counted} when the observer's tally counted it (adds to total_votes and
   * vote_count once), else evidence only.
   */
  record VoteRow(
      int observedBy,
      long ordering,
      String txId,
      int nodeId,
      long value,
      Instant issuedAt,
      byte[] signature,
      boolean counted)
      implements AuditRow {
    public VoteRow {
      Objects.requireNonNull(txId, "txId");
      Objects.requireNonNull(issuedAt, "issuedAt");
      signature = Objects.requireNonNull(signature, "signature").clone();
    }

    @Override
    public byte[] signature() {
      return signature.clone();
    }
  }

  /** A detected violation of {@code nodeId}; adds to its violations once. */
  record ViolationRow(
      int observedBy,
      long ordering,
      String txId,
      int nodeId,
      String violationType,
      String evidenceJson)
      implements AuditRow {
    public ViolationRow {
      Objects.requireNonNull(txId, "txId");
      Objects.requireNonNull(violationType, "violationType");
      Objects.requireNonNull(evidenceJson, "evidenceJson");
    }
  }

  /** The observer's reputation score of {@code nodeId} (1.0 initially). */
  record ScoreRow(int observedBy, long ordering, int nodeId, double score) implements AuditRow {}

  /** The observer banned or unbanned {@code nodeId}; {@code reason} may be null. */
  record BanRow(int observedBy, long ordering, int nodeId, boolean banned, String reason)
      implements AuditRow {}

  /** The observer's tally of {@code txId} opened; it is COLLECTING until {@code deadline}. */
  record TxOpenedRow(int observedBy, long ordering, String txId, Instant openedAt, Instant deadline)
      implements AuditRow {
    public TxOpenedRow {
      Objects.requireNonNull(txId, "txId");
      Objects.requireNonNull(openedAt, "openedAt");
      Objects.requireNonNull(deadline, "deadline");
    }
  }

  /**
   * The tally of {@code txId} moved to {@code state} (THRESHOLD_REACHED, COMMITTED or an abort).
   * {@code hasValue} says whether {@code value} is set; {@code certificateJson} and {@code reason}
   * may be null (unchanged).
   */
  record TxStateRow(
      int observedBy,
      long ordering,
      String txId,
      String state,
      boolean hasValue,
      long value,
      String certificateJson,
      String reason)
      implements AuditRow {
    public TxStateRow {
      Objects.requireNonNull(txId, "txId");
      Objects.requireNonNull(state, "state");
    }
  }

  /** The observer found another value stored for {@code txId} than it decided. */
  record SafetyAlarmRow(int observedBy, long ordering, String txId, String alarm)
      implements AuditRow {
    public SafetyAlarmRow {
      Objects.requireNonNull(txId, "txId");
      Objects.requireNonNull(alarm, "alarm");
    }
  }
}
