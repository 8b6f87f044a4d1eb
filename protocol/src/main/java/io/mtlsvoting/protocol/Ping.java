package io.mtlsvoting.protocol;

/** Liveness and round-trip probe; the peer answers with a {@link Pong} echoing both fields. */
public record Ping(long nonce, long sentAtNanos) implements PeerMessage {}
