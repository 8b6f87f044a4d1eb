package io.mtlsvoting.protocol;

/** A message exchanged between two authenticated nodes over the mesh. */
public sealed interface PeerMessage extends Message
    permits Hello, Vote, Evidence, Echo, VoteRequest, Ping, Pong {}
