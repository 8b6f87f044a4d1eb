package io.mtlsvoting.protocol;

/** Asks a node for the state of each of its peer connections. */
public record PeersRequest(long requestId) implements ClientRequest {}
