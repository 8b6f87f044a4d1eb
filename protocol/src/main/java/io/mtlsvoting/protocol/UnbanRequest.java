package io.mtlsvoting.protocol;

/** Operator request to lift the ban of {@code nodeId}. */
public record UnbanRequest(long requestId, int nodeId) implements ClientRequest {}
