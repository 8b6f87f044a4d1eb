package io.mtlsvoting.persistence.audit;

import java.time.Instant;

/** One row of {@code byzantine_violations}: {@code observedBy} detected {@code nodeId}. */
public record ViolationEntry(
    long id,
    int observedBy,
    String txId,
    int nodeId,
    String violationType,
    String evidenceJson,
    Instant detectedAt) {}
