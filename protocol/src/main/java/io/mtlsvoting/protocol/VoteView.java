package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * Display form of a vote in client replies: {@code value} as unsigned decimal, signature as hex.
 */
public record VoteView(int nodeId, String value, long issuedAt, String signatureHex) {
  public VoteView {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(signatureHex, "signatureHex");
  }

  /** The display form of {@code vote}. */
  public static VoteView of(Vote vote) {
    return new VoteView(
        vote.nodeId(),
        UnsignedValues.format(vote.value()),
        vote.issuedAt(),
        java.util.HexFormat.of().formatHex(vote.signatureUnsafe()));
  }
}
