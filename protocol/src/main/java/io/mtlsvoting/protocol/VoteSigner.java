package io.mtlsvoting.protocol;

import java.security.PrivateKey;
import java.util.Objects;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Signs votes with a node's Ed25519 certificate key (BouncyCastle); thread-safe. */
public final class VoteSigner {
  private final byte[] seed;
  private final byte[] publicKey;

  private VoteSigner(byte[] seed) {
    this.seed = seed;
    this.publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
    Ed25519.generatePublicKey(seed, 0, publicKey, 0);
  }

  /**
   * A signer for a PKCS#8 Ed25519 private key (as read by {@link Pem#readPrivateKey}).
   *
   * @throws InvalidInputException if the key is not Ed25519
   */
  public static VoteSigner of(PrivateKey ed25519Pkcs8Key) {
    return new VoteSigner(Ed25519Keys.privateSeed(ed25519Pkcs8Key));
  }

  /** A signer from a raw 32-byte Ed25519 private seed (tests and tools). */
  public static VoteSigner fromSeed(byte[] seed) {
    if (Objects.requireNonNull(seed, "seed").length != Ed25519.SECRET_KEY_SIZE) {
      throw new InvalidInputException("Ed25519 seed must be 32 bytes, got " + seed.length);
    }
    return new VoteSigner(seed.clone());
  }

  /** The signed vote for these fields under {@code clusterId}. */
  public Vote sign(String clusterId, String txId, int nodeId, long value, long issuedAt) {
    byte[] msg = CanonicalVote.bytes(clusterId, txId, nodeId, value, issuedAt);
    return new Vote(txId, nodeId, value, issuedAt, signBytes(msg));
  }

  /** A 64-byte Ed25519 signature of {@code msg}. */
  public byte[] signBytes(byte[] msg) {
    byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
    Ed25519.sign(seed, 0, publicKey, 0, msg, 0, msg.length, sig, 0);
    return sig;
  }

  /** The raw 32-byte public key matching this signer. */
  public byte[] publicKey() {
    return publicKey.clone();
  }
}
