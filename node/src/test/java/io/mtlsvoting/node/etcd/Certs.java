package io.mtlsvoting.node.etcd;

import io.mtlsvoting.protocol.Pem;
import io.mtlsvoting.protocol.VoteSigner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

/** CA, member certificates and vote keys of five nodes, made once per JVM by generate-certs.sh. */
final class Certs {
  final X509Certificate ca;
  final Map<Integer, X509Certificate> certs = new HashMap<>();
  final Map<Integer, VoteSigner> signers = new HashMap<>();

  private static Certs five;

  private Certs(Path dir, int n) {
    ca = Pem.readCertificate(dir.resolve("ca.crt"));
    for (int i = 1; i <= n; i++) {
      certs.put(i, Pem.readCertificate(dir.resolve("node" + i + ".crt")));
      signers.put(i, VoteSigner.of(Pem.readPrivateKey(dir.resolve("node" + i + ".key"))));
    }
  }

  static synchronized Certs five() {
    if (five == null) {
      five = new Certs(generate(5), 5);
    }
    return five;
  }

  private static Path generate(int n) {
    try {
      Path out = Files.createTempDirectory("etcd-certs");
      Path script = repoRoot().resolve("scripts/generate-certs.sh");
      Process p =
          new ProcessBuilder(
                  "bash", script.toString(), "--out", out.toString(), "--nodes", String.valueOf(n))
              .redirectErrorStream(true)
              .start();
      String log = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException("generate-certs.sh failed:\n" + log);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Path repoRoot() {
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
