package io.mtlsvoting.protocol;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Verifies vote signatures against one node's certified Ed25519 key (BouncyCastle). Immutable and
 * thread-safe; bad input of any kind yields {@code false}, never an exception.
 */
public final class VoteVerifier {
  private final Ed25519.PublicPoint publicPoint;

  private VoteVerifier(byte[] rawPublicKey) {
    this.publicPoint = Ed25519.validatePublicKeyPartialExport(rawPublicKey, 0);
    if (publicPoint == null) {
      throw new InvalidInputException("not a valid Ed25519 public key point");
    }
  }

  /**
   * A verifier for an X.509-encoded Ed25519 public key.
   *
   * @throws InvalidInputException if the key is not Ed25519
   */
  public static VoteVerifier of(PublicKey ed25519Key) {
    return new VoteVerifier(Ed25519Keys.publicKey(ed25519Key));
  }

  /** A verifier for the Ed25519 key of {@code cert}. */
  public static VoteVerifier of(X509Certificate cert) {
    return of(Objects.requireNonNull(cert, "cert").getPublicKey());
  }

  /** A verifier from a raw 32-byte Ed25519 public key (tests and tools). */
  public static VoteVerifier fromRaw(byte[] rawPublicKey) {
    if (Objects.requireNonNull(rawPublicKey, "rawPublicKey").length != Ed25519.PUBLIC_KEY_SIZE) {
      throw new InvalidInputException("Ed25519 public key must be 32 bytes");
    }
    return new VoteVerifier(rawPublicKey.clone());
  }

  /** True iff {@code vote}'s signature is valid for its fields under {@code clusterId}. */
  public boolean verify(String clusterId, Vote vote) {
    if (clusterId == null || vote == null || vote.signatureLength() != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    try {
      return verifyBytes(CanonicalVote.bytes(clusterId, vote), vote.signatureUnsafe());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** True iff {@code signature} is a valid Ed25519 signature of {@code msg}. */
  public boolean verifyBytes(byte[] msg, byte[] signature) {
    if (msg == null || signature == null || signature.length != Ed25519.SIGNATURE_SIZE) {
      return false;
    }
    try {
      return Ed25519.verify(signature, 0, publicPoint, msg, 0, msg.length);
    } catch (RuntimeException e) {
      return false;
    }
  }
}
