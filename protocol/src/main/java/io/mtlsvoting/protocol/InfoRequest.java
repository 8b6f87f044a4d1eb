package io.mtlsvoting.protocol;

/** Asks a node for its identity, configuration and health. */
public record InfoRequest(long requestId) implements ClientRequest {}
