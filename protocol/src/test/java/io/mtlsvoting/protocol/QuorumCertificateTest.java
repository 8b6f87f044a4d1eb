package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline verification of quorum certificates with certificates from generate-certs.sh. */
class QuorumCertificateTest {
  static X509Certificate ca;
  static X509Certificate otherCa;
  static final Map<Integer, X509Certificate> certs = new HashMap<>();
  static final Map<Integer, X509Certificate> foreignCerts = new HashMap<>();
  static final Map<Integer, VoteSigner> signers = new HashMap<>();

  /** Both CAs' material; JUnit deletes it after the class. */
  @TempDir static Path work;

  @BeforeAll
  static void generate() throws Exception {
    Path dir = run(Files.createDirectory(work.resolve("ca")));
    Path other = run(Files.createDirectory(work.resolve("other-ca")));
    ca = Pem.readCertificate(dir.resolve("ca.crt"));
    otherCa = Pem.readCertificate(other.resolve("ca.crt"));
    for (int i = 1; i <= 5; i++) {
      certs.put(i, Pem.readCertificate(dir.resolve("node" + i + ".crt")));
      foreignCerts.put(i, Pem.readCertificate(other.resolve("node" + i + ".crt")));
      signers.put(i, VoteSigner.of(Pem.readPrivateKey(dir.resolve("node" + i + ".key"))));
    }
  }

  static QuorumCertificate qc(long value, int... nodes) {
    List<Vote> votes = new ArrayList<>();
    for (int n : nodes) {
      votes.add(signers.get(n).sign("c1", "tx-9", n, value, 1000L + n));
    }
    return new QuorumCertificate("c1", "tx-9", value, votes);
  }

  @Test
  void validCertificateVerifies() {
    var r = qc(7, 1, 2, 3, 4).verify(ca, certs, 4);
    assertTrue(r.valid(), r.reason());
  }

  @Test
  void tooFewDistinctSignersIsRefused() {
    var r = qc(7, 1, 2, 3).verify(ca, certs, 4);
    assertFalse(r.valid());
    assertTrue(r.reason().contains("3 distinct signers"), r.reason());
    assertFalse(qc(7, 1, 2, 3, 3).verify(ca, certs, 4).valid(), "duplicate signer");
  }

  @Test
  void voteForAnotherValueOrTxIsRefused() {
    QuorumCertificate good = qc(7, 1, 2, 3, 4);
    List<Vote> votes = new ArrayList<>(good.votes());
    votes.set(0, signers.get(1).sign("c1", "tx-9", 1, 8, 1L));
    assertFalse(new QuorumCertificate("c1", "tx-9", 7, votes).verify(ca, certs, 4).valid());
    votes.set(0, signers.get(1).sign("c1", "tx-8", 1, 7, 1L));
    assertFalse(new QuorumCertificate("c1", "tx-9", 7, votes).verify(ca, certs, 4).valid());
  }

  @Test
  void tamperedSignatureOrOtherClusterIsRefused() {
    QuorumCertificate good = qc(7, 1, 2, 3, 4);
    List<Vote> votes = new ArrayList<>(good.votes());
    byte[] sig = votes.get(2).signature();
    sig[0] ^= 1;
    votes.set(2, votes.get(2).withSignature(sig));
    var r = new QuorumCertificate("c1", "tx-9", 7, votes).verify(ca, certs, 4);
    assertFalse(r.valid());
    assertTrue(r.reason().contains("node 3"), r.reason());
    assertFalse(new QuorumCertificate("c2", "tx-9", 7, good.votes()).verify(ca, certs, 4).valid());
  }

  @Test
  void certificatesFromAnotherCaOrWithTheWrongNameAreRefused() {
    var r = qc(7, 1, 2, 3, 4).verify(otherCa, certs, 4);
    assertFalse(r.valid());
    assertTrue(r.reason().contains("not signed by the CA"), r.reason());
    assertFalse(qc(7, 1, 2, 3, 4).verify(ca, foreignCerts, 4).valid());
    Map<Integer, X509Certificate> swapped = new HashMap<>(certs);
    swapped.put(3, certs.get(2));
    var named = qc(7, 1, 2, 3, 4).verify(ca, swapped, 4);
    assertFalse(named.valid(), "node 2's certificate presented for node 3");
  }

  @Test
  void certificateOutsideItsValidityIsRefused() {
    var r = qc(7, 1, 2, 3, 4).verify(ca, certs, 4, Instant.parse("2200-01-01T00:00:00Z"));
    assertFalse(r.valid());
    assertTrue(r.reason().contains("not valid"), r.reason());
  }

  static Path run(Path out) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "bash",
                root().resolve("scripts/generate-certs.sh").toString(),
                "--out",
                out.toString(),
                "--nodes",
                "5")
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("generate-certs.sh failed:\n" + log);
    }
    return out;
  }

  static Path root() {
    String prop = System.getProperty("project.rootdir");
    if (prop != null && Files.exists(Path.of(prop, "scripts/generate-certs.sh"))) {
      return Path.of(prop);
    }
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("scripts/generate-certs.sh"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("scripts/generate-certs.sh not found above user.dir");
    }
    return dir;
  }
}
