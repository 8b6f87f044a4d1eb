package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signing and identity with keys and certificates made by {@code scripts/generate-certs.sh}. */
class CertificatesFromScriptTest {
  private static final String CLUSTER = "mtls-voting";
  @TempDir static Path dir;

  @BeforeAll
  static void generate() throws Exception {
    run(List.of(script().toString(), "--out", dir.toString(), "--nodes", "3"));
    run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ed25519",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=evil",
            "-keyout",
            dir.resolve("evil.key").toString(),
            "-out",
            dir.resolve("evil.crt").toString()));
  }

  @Test
  void voteSignedWithNodeKeyVerifiesUnderItsCertificate() {
    VoteSigner signer = VoteSigner.of(Pem.readPrivateKey(dir.resolve("node1.key")));
    VoteVerifier verifier = VoteVerifier.of(Pem.readCertificate(dir.resolve("node1.crt")));
    Vote vote = signer.sign(CLUSTER, "tx-1", 1, 42, 1_700_000_000_000L);
    assertTrue(verifier.verify(CLUSTER, vote));

    byte[] sig = vote.signature();
    assertFalse(verifier.verify(CLUSTER, new Vote("tx-2", 1, 42, vote.issuedAt(), sig)));
    assertFalse(verifier.verify(CLUSTER, new Vote("tx-1", 2, 42, vote.issuedAt(), sig)));
    assertFalse(verifier.verify(CLUSTER, new Vote("tx-1", 1, 43, vote.issuedAt(), sig)));
    assertFalse(verifier.verify(CLUSTER, new Vote("tx-1", 1, 42, vote.issuedAt() + 1, sig)));
    assertFalse(verifier.verify("other-cluster", vote));

    // Node 2's key claiming to be node 1 is refused under node 1's certified key.
    VoteSigner node2 = VoteSigner.of(Pem.readPrivateKey(dir.resolve("node2.key")));
    Vote forged = node2.sign(CLUSTER, "tx-1", 1, 42, vote.issuedAt());
    assertFalse(verifier.verify(CLUSTER, forged));
  }

  @Test
  void certificateIdentities() {
    X509Certificate node3 = Pem.readCertificate(dir.resolve("node3.crt"));
    assertEquals(CertificateIdentity.node(3), CertificateIdentity.of(node3));
    CertificateIdentity client =
        CertificateIdentity.of(Pem.readCertificate(dir.resolve("client.crt")));
    assertEquals(CertificateIdentity.Role.CLIENT, client.role());
    assertEquals("cli", client.clientName());
    IdentityException e =
        assertThrows(
            IdentityException.class,
            () -> CertificateIdentity.of(Pem.readCertificate(dir.resolve("evil.crt"))));
    assertTrue(e.getMessage().contains("'evil'"), e.getMessage());
    assertTrue(e.getMessage().contains("node-<positive id>"), e.getMessage());
    assertEquals(64, CertificateIdentity.fingerprint(node3).length());
  }

  @Test
  void pemErrorsNameTheFile() throws IOException {
    Path missing = dir.resolve("nope.crt");
    PemException e1 = assertThrows(PemException.class, () -> Pem.readCertificate(missing));
    assertTrue(e1.getMessage().contains("nope.crt") && e1.getMessage().contains("not found"));

    Path text = dir.resolve("text.pem");
    Files.writeString(text, "hello", StandardCharsets.US_ASCII);
    PemException e2 = assertThrows(PemException.class, () -> Pem.readPrivateKey(text));
    assertTrue(e2.getMessage().contains("text.pem") && e2.getMessage().contains("not a PEM"));

    PemException e3 =
        assertThrows(PemException.class, () -> Pem.readPrivateKey(dir.resolve("node1.crt")));
    assertTrue(e3.getMessage().contains("node1.crt"), e3.getMessage());

    Path rsa = dir.resolve("rsa.key");
    run(
        List.of(
            "openssl",
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            rsa.toString()));
    PemException e4 = assertThrows(PemException.class, () -> Pem.readPrivateKey(rsa));
    assertTrue(e4.getMessage().contains("RSA") && e4.getMessage().contains("Ed25519"));

    assertEquals(1, Pem.readCertificates(dir.resolve("ca.crt")).size());
  }

  @Test
  void crlFromScriptIsReadable() {
    run(
        List.of(
            script().toString(),
            "--out",
            dir.toString(),
            "--revoke",
            dir.resolve("node2.crt").toString()));
    var crl = Pem.readCrl(dir.resolve("crl.pem"));
    assertTrue(crl.isRevoked(Pem.readCertificate(dir.resolve("node2.crt"))));
    assertFalse(crl.isRevoked(Pem.readCertificate(dir.resolve("node1.crt"))));
  }

  private static Path script() {
    String root = System.getProperty("project.rootdir");
    Path start =
        root != null && !root.isBlank() ? Path.of(root) : Path.of(System.getProperty("user.dir"));
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      Path s = p.resolve("scripts/generate-certs.sh");
      if (Files.isRegularFile(s)) {
        return s;
      }
    }
    throw new IllegalStateException("scripts/generate-certs.sh not found above " + start);
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      if (rc != 0) {
        throw new IllegalStateException(command + " exited " + rc + ":\n" + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
