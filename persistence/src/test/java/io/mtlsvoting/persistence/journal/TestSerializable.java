package io.mtlsvoting.persistence.journal;

/** Marker bound to {@code jackson-cbor} in the test config, like the node's event marker. */
public interface TestSerializable {}
