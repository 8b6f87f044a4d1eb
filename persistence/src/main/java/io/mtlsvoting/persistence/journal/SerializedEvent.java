package io.mtlsvoting.persistence.journal;

/** One journal row ready for INSERT: an event after Pekko Serialization. */
record SerializedEvent(
    String persistenceId,
    long sequenceNr,
    String writer,
    long writeTimestamp,
    int serializerId,
    String manifest,
    byte[] payload,
    String eventManifest,
    String[] tags) {}
