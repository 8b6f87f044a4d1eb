package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Frozen vectors: a fixed Ed25519 key and votes whose canonical bytes and signatures must never
 * change (they were cross-checked with {@code openssl pkeyutl -sign -rawin}).
 */
class VoteSignatureVectorsTest {
  private static final HexFormat HEX = HexFormat.of();
  static final String SEED = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
  static final String PUBLIC_KEY =
      "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
  private static final String PKCS8_PREFIX = "302e020100300506032b657004220420";
  private static final String SPKI_PREFIX = "302a300506032b6570032100";

  private record Vector(
      String cluster,
      String txId,
      int nodeId,
      long value,
      long issuedAt,
      String canon,
      String sig) {}

  private static final Vector[] VECTORS = {
    new Vector(
        "mtls-voting",
        "tx-1",
        1,
        42L,
        1_700_000_000_000L,
        "6d746c732d766f74696e672f766f74652f763100000b6d746c732d766f74696e67000474782d31"
            + "00000001000000000000002a0000018bcfe56800",
        "785112c24b64de68e7eaaf713382a871f3916d35f80f16f3db5a224464d73eb4"
            + "a1db028cfb374a12d77574dc47f44da3327612cedcbec9f0f6bab060edb2580a"),
    new Vector(
        "mtls-voting",
        "a.b_c:D-9",
        5,
        -1L, // 18446744073709551615
        0L,
        "6d746c732d766f74696e672f766f74652f763100000b6d746c732d766f74696e670009612e625f633a"
            + "442d3900000005ffffffffffffffff0000000000000000",
        "a9fa116afc574f0ae1748460e593fb3e17f6446cb6698e5bac128e7492c23a44"
            + "754e55a5c730f82a4381af5b66eeb57f2027d22be78b952dc1d7943a4e4d3a05"),
    new Vector(
        "cl\u00fcster",
        "x",
        Integer.MAX_VALUE,
        0L,
        -1L,
        "6d746c732d766f74696e672f766f74652f7631000008636cc3bc737465720001787fffffff"
            + "0000000000000000ffffffffffffffff",
        "484554c1a9e0b2c62254c5ba131c7e0565c6858d9c9d919a5a375f69439e6d5f"
            + "581838f4220ac1d177a2de92f80b178524bdecf1f438651c5916c10ebfd8ca0e")
  };

  static PrivateKey jdkPrivateKey() throws Exception {
    return KeyFactory.getInstance("Ed25519")
        .generatePrivate(new PKCS8EncodedKeySpec(HEX.parseHex(PKCS8_PREFIX + SEED)));
  }

  static PublicKey jdkPublicKey() throws Exception {
    return KeyFactory.getInstance("Ed25519")
        .generatePublic(new X509EncodedKeySpec(HEX.parseHex(SPKI_PREFIX + PUBLIC_KEY)));
  }

  @Test
  void canonicalBytesAndSignaturesAreFrozen() throws Exception {
    VoteSigner signer = VoteSigner.of(jdkPrivateKey());
    VoteVerifier verifier = VoteVerifier.of(jdkPublicKey());
    assertEquals(PUBLIC_KEY, HEX.formatHex(signer.publicKey()));
    for (Vector v : VECTORS) {
      byte[] canon =
          CanonicalVote.bytes(v.cluster(), v.txId(), v.nodeId(), v.value(), v.issuedAt());
      assertEquals(v.canon(), HEX.formatHex(canon), "canonical bytes of " + v);
      Vote vote = signer.sign(v.cluster(), v.txId(), v.nodeId(), v.value(), v.issuedAt());
      assertEquals(v.sig(), HEX.formatHex(vote.signature()), "signature of " + v);
      assertTrue(verifier.verify(v.cluster(), vote));
      // An independent implementation (the JDK's EdDSA) agrees.
      Signature jdk = Signature.getInstance("Ed25519");
      jdk.initVerify(jdkPublicKey());
      jdk.update(canon);
      assertTrue(jdk.verify(HEX.parseHex(v.sig())));
    }
  }

  @Test
  void canonicalLayoutStartsWithDomainTag() {
    byte[] canon = CanonicalVote.bytes("c", "t", 1, 2, 3);
    byte[] tag = "mtls-voting/vote/v1\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertArrayEquals(tag, java.util.Arrays.copyOf(canon, tag.length));
    assertEquals(tag.length + 2 + 1 + 2 + 1 + 4 + 8 + 8, canon.length);
  }

  @Test
  void badSignaturesAreFalseNeverExceptions() {
    VoteSigner signer = VoteSigner.fromSeed(HEX.parseHex(SEED));
    VoteVerifier verifier = VoteVerifier.fromRaw(HEX.parseHex(PUBLIC_KEY));
    Vote good = signer.sign("c", "tx-1", 1, 7, 1000);
    assertTrue(verifier.verify("c", good));
    assertFalse(verifier.verify("other-cluster", good));
    assertFalse(verifier.verify("c", good.withSignature(new byte[0])));
    assertFalse(verifier.verify("c", good.withSignature(new byte[63])));
    assertFalse(verifier.verify("c", good.withSignature(new byte[65])));
    assertFalse(verifier.verify("c", good.withSignature(new byte[64])));
    byte[] ones = new byte[64];
    java.util.Arrays.fill(ones, (byte) 0xff);
    assertFalse(verifier.verify("c", good.withSignature(ones)));
    byte[] flipped = good.signature();
    flipped[10] ^= 1;
    assertFalse(verifier.verify("c", good.withSignature(flipped)));
    assertFalse(verifier.verify(null, good));
    assertFalse(verifier.verify("c", null));
    assertFalse(verifier.verify("c", new Vote("y".repeat(70_000), 1, 7, 1000, good.signature())));
    assertFalse(verifier.verifyBytes(null, good.signature()));
  }

  @Test
  void nonEd25519KeysRefused() throws Exception {
    var ec = KeyPairGenerator.getInstance("EC").generateKeyPair();
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> VoteSigner.of(ec.getPrivate()));
    assertTrue(e.getMessage().contains("Ed25519"), e.getMessage());
    assertThrows(InvalidInputException.class, () -> VoteVerifier.of(ec.getPublic()));
  }

  @Test
  void verifyThroughputOnOneThread() {
    VoteSigner signer = VoteSigner.fromSeed(HEX.parseHex(SEED));
    VoteVerifier verifier = VoteVerifier.fromRaw(HEX.parseHex(PUBLIC_KEY));
    Vote vote = signer.sign("mtls-voting", "tx-bench", 1, 42, 1_700_000_000_000L);
    int ok = 0;
    for (int i = 0; i < 2_000; i++) {
      ok += verifier.verify("mtls-voting", vote) ? 1 : 0;
    }
    int n = 10_000;
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu0 = threads.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ok += verifier.verify("mtls-voting", vote) ? 1 : 0;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
    assertEquals(2_000 + n, ok);
    // Informational only (no timed assertion): the cluster's throughput ceiling.
    System.out.printf(
        "verify throughput on one thread: %.0f/s wall, %.0f/s per CPU-second%n",
        n / seconds, n / cpuSeconds);
  }
}
