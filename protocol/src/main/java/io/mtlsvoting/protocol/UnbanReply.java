package io.mtlsvoting.protocol;

/** Answer to {@link UnbanRequest}: whether the node was banned, and its reputation now. */
public record UnbanReply(long requestId, int nodeId, boolean wasBanned, double reputation)
    implements ClientReply {}
