package io.mtlsvoting.persistence.journal;

/**
 * One stored event as the audit projection sees it: global {@code ordering}, identity, the event
 * still serialized (deserialize with {@code Serialization.deserialize(bytes, serializerId,
 * manifest)}) and when it was written (epoch millis). {@code deleted} events are included: deletion
 * only hides them from replay.
 */
public record JournalRow(
    long ordering,
    String persistenceId,
    long sequenceNr,
    int serializerId,
    String manifest,
    byte[] payload,
    boolean deleted,
    long writeTimestamp) {}
