package io.mtlsvoting.node.tally;

/**
 * Marker for everything the tally package journals (events and state); bind it to {@code
 * jackson-cbor} in {@code pekko.actor.serialization-bindings}.
 */
public interface TallySerializable {}
