package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.Vote;

/**
 * One violation as kept in a tally's state for {@code status}: the accused node, its evidence
 * ({@code vote}, plus {@code otherVote} for a double vote) and a human-readable detail.
 */
public record ViolationRecord(
    ViolationType type, int nodeId, Vote vote, Vote otherVote, String detail) {}
