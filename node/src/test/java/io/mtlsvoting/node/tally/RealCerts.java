package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.mesh.TestCerts;
import io.mtlsvoting.protocol.Pem;
import io.mtlsvoting.protocol.VoteSigner;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;

/** Member keys and certificates made once per test JVM by the project's generate-certs.sh. */
public final class RealCerts {
  public final X509Certificate ca;
  public final Map<Integer, X509Certificate> certs = new HashMap<>();
  public final Map<Integer, VoteSigner> signers = new HashMap<>();

  private static RealCerts five;

  private RealCerts(Path dir, int n) {
    ca = Pem.readCertificate(dir.resolve("ca.crt"));
    for (int i = 1; i <= n; i++) {
      certs.put(i, Pem.readCertificate(dir.resolve("node" + i + ".crt")));
      signers.put(i, VoteSigner.of(Pem.readPrivateKey(dir.resolve("node" + i + ".key"))));
    }
  }

  public static synchronized RealCerts five() {
    if (five == null) {
      five = new RealCerts(TestCerts.generate(5), 5);
    }
    return five;
  }
}
