package io.mtlsvoting.persistence.audit;

import java.time.Instant;

/**
 * One row of {@code transactions}: the tally of {@code txId} as {@code observedBy} saw it. {@code
 * value} is unsigned and meaningful only when {@code hasValue}; instants and texts may be null.
 */
public record TransactionEntry(
    int observedBy,
    String txId,
    String state,
    boolean hasValue,
    long value,
    int voteCount,
    String certificateJson,
    Instant firstVoteAt,
    Instant deadlineAt,
    Instant decidedAt,
    Instant committedAt,
    String outcomeReason,
    String safetyAlarm) {}
