package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code scripts/generate-certs.sh} as an operator would and checks what it leaves behind. */
class GenerateCertsScriptTest {

  @TempDir Path dir;

  static Path repoRoot() {
    String prop = System.getProperty("project.rootdir");
    if (prop != null && Files.isRegularFile(Path.of(prop, "scripts", "generate-certs.sh"))) {
      return Path.of(prop);
    }
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.isRegularFile(p.resolve("scripts/generate-certs.sh"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("cannot find scripts/generate-certs.sh above " + Path.of(""));
    }
    return p;
  }

  record Run(int exitCode, String output) {}

  static Run run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + cmd);
    }
    return new Run(p.exitValue(), out);
  }

  Run script(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add("bash");
    cmd.add(repoRoot().resolve("scripts/generate-certs.sh").toString());
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  Run opensslVerify(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl", "verify"));
    cmd.addAll(List.of(args));
    return run(cmd);
  }

  @Test
  void writesCaNodesAndClientWithPrivateKeysOnlyReadableByOwner() throws Exception {
    Run r = script("--out", dir.toString(), "--nodes", "3");
    assertEquals(0, r.exitCode(), r.output());
    for (String name : List.of("ca", "node1", "node2", "node3", "client")) {
      Path key = dir.resolve(name + ".key");
      assertTrue(Files.isRegularFile(dir.resolve(name + ".crt")), name + ".crt");
      assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 " + key);
      assertEquals(
          Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(key),
          key + " mode");
    }
    assertTrue(!Files.exists(dir.resolve("node4.crt")), "only --nodes 3 certificates");
    Run verify = opensslVerify("-CAfile", dir.resolve("ca.crt").toString(), node(1), node(3));
    assertEquals(0, verify.exitCode(), verify.output());
  }

  @Test
  void certificatesCarryTheIdentityTheNodesCheck() throws Exception {
    assertEquals(0, script("--out", dir.toString(), "--nodes", "2").exitCode());
    var node2 = Pem.readCertificate(dir.resolve("node2.crt"));
    var client = Pem.readCertificate(dir.resolve("client.crt"));
    String alg = node2.getPublicKey().getAlgorithm();
    assertTrue(alg.equals("EdDSA") || alg.equals("Ed25519"), "Ed25519 key, got " + alg);
    assertEquals(CertificateIdentity.node(2), identity(node2));
    assertEquals(CertificateIdentity.Role.CLIENT, identity(client).role());
    List<String> eku = node2.getExtendedKeyUsage();
    assertTrue(eku.contains("1.3.6.1.5.5.7.3.1") && eku.contains("1.3.6.1.5.5.7.3.2"), "" + eku);
    assertEquals(List.of("1.3.6.1.5.5.7.3.2"), client.getExtendedKeyUsage());
  }

  private static CertificateIdentity identity(java.security.cert.X509Certificate c) {
    return CertificateIdentity.of(c);
  }

  @Test
  void runningTwiceKeepsTheCaUnlessForced() throws Exception {
    assertEquals(0, script("--out", dir.toString(), "--nodes", "2").exitCode());
    byte[] ca = Files.readAllBytes(dir.resolve("ca.crt"));
    byte[] node1 = Files.readAllBytes(dir.resolve("node1.crt"));

    Run again = script("--out", dir.toString(), "--nodes", "2");
    assertEquals(0, again.exitCode(), again.output());
    assertArrayEquals(ca, Files.readAllBytes(dir.resolve("ca.crt")), "CA kept");
    assertArrayEquals(node1, Files.readAllBytes(dir.resolve("node1.crt")), "node cert kept");

    Run forced = script("--out", dir.toString(), "--nodes", "2", "--force");
    assertEquals(0, forced.exitCode(), forced.output());
    assertNotEquals(
        new String(ca, StandardCharsets.US_ASCII), Files.readString(dir.resolve("ca.crt")));
  }

  @Test
  void revokedCertificateFailsCrlCheckWhileOthersPass() throws Exception {
    assertEquals(0, script("--out", dir.toString(), "--nodes", "3").exitCode());
    Run revoke = script("--out", dir.toString(), "--revoke", node(3));
    assertEquals(0, revoke.exitCode(), revoke.output());
    String ca = dir.resolve("ca.crt").toString();
    String crl = dir.resolve("crl.pem").toString();
    Run revoked = opensslVerify("-crl_check", "-CAfile", ca, "-CRLfile", crl, node(3));
    assertNotEquals(0, revoked.exitCode(), revoked.output());
    assertTrue(revoked.output().contains("revoked"), revoked.output());
    Run fine = opensslVerify("-crl_check", "-CAfile", ca, "-CRLfile", crl, node(1));
    assertEquals(0, fine.exitCode(), fine.output());
    assertTrue(
        Pem.readCrl(dir.resolve("crl.pem")).isRevoked(Pem.readCertificate(Path.of(node(3)))));
  }

  @Test
  void unknownOptionIsAUsageError() throws Exception {
    Run r = script("--out", dir.toString(), "--no-such-option");
    assertEquals(2, r.exitCode(), r.output());
    assertTrue(r.output().contains("--no-such-option"), r.output());
  }

  private String node(int i) {
    return dir.resolve("node" + i + ".crt").toString();
  }
}
