package io.mtlsvoting.protocol;

/** Answer to a {@link Ping}, echoing its nonce and send time so the sender can measure RTT. */
public record Pong(long nonce, long sentAtNanos) implements PeerMessage {}
