package io.mtlsvoting.protocol;

/** Asks a node for one {@link MonitorSnapshot}; the CLI polls it for a live view. */
public record MonitorRequest(long requestId) implements ClientRequest {}
