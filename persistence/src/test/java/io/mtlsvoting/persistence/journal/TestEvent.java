package io.mtlsvoting.persistence.journal;

/** A serializable test event. */
public record TestEvent(String text) implements TestSerializable {}
