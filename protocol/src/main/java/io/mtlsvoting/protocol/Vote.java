package io.mtlsvoting.protocol;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One node's signed vote for a transaction. {@code value} is an unsigned 64-bit number held in a
 * long (see {@link UnsignedValues}); {@code issuedAt} is epoch millis; {@code signature} is the
 * Ed25519 signature over {@link CanonicalVote#bytes} and is compared by content.
 */
public record Vote(String txId, int nodeId, long value, long issuedAt, byte[] signature)
    implements PeerMessage {
  public Vote {
    Objects.requireNonNull(txId, "txId");
    signature = Objects.requireNonNull(signature, "signature").clone();
  }

  /** A copy of the signature bytes. */
  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The same vote with another signature (test and Byzantine-simulation helper). */
  public Vote withSignature(byte[] newSignature) {
    return new Vote(txId, nodeId, value, issuedAt, newSignature);
  }

  /** Signature length without copying. */
  int signatureLength() {
    return signature.length;
  }

  /** The signature array itself, for the verifier only; callers must not modify it. */
  byte[] signatureUnsafe() {
    return signature;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vote v
        && nodeId == v.nodeId
        && value == v.value
        && issuedAt == v.issuedAt
        && txId.equals(v.txId)
        && Arrays.equals(signature, v.signature);
  }

  @Override
  public int hashCode() {
    int h = Objects.hash(txId, nodeId, value, issuedAt);
    return 31 * h + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return "Vote[txId="
        + txId
        + ", nodeId="
        + nodeId
        + ", value="
        + Long.toUnsignedString(value)
        + ", issuedAt="
        + issuedAt
        + ", signature="
        + HexFormat.of().formatHex(signature)
        + "]";
  }
}
