package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.InvalidInputException;
import io.mtlsvoting.protocol.Pem;
import io.mtlsvoting.protocol.PemException;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.QuorumCertificate.VerificationResult;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.UnsignedValues;
import io.mtlsvoting.protocol.Vote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.TreeMap;

/**
 * Offline verification of the quorum certificate in a {@code status} reply, against the CA and the
 * members' certificates on this machine: no trust in the node that sent it.
 */
final class CertificateCheck {
  private CertificateCheck() {}

  /** Verifies the certificate of {@code status} with certificates from {@code certsDir}. */
  static VerificationResult verify(StatusReply status, Path ca, Path certsDir, int threshold) {
    if (!Files.isReadable(ca)) {
      return new VerificationResult(
          false, "CA certificate " + ca + " not readable; pass --ca or set CA_CERT_PATH");
    }
    Map<Integer, X509Certificate> members = new TreeMap<>();
    for (Vote v : status.certificate()) {
      Path file = certsDir.resolve("node" + v.nodeId() + ".crt");
      if (Files.isReadable(file)) {
        try {
          members.put(v.nodeId(), Pem.readCertificate(file));
        } catch (PemException e) {
          return new VerificationResult(false, e.getMessage());
        }
      }
    }
    return verify(status, Pem.readCertificate(ca), members, threshold);
  }

  /** Verifies the certificate of {@code status} against {@code ca} and {@code memberCerts}. */
  static VerificationResult verify(
      StatusReply status, X509Certificate ca, Map<Integer, X509Certificate> memberCerts, int t) {
    if (status.certificate().isEmpty() || status.decidedValue().isEmpty()) {
      return new VerificationResult(
          false,
          "tx " + status.txId() + " has no quorum certificate (state " + status.state() + ")");
    }
    long value;
    try {
      value = UnsignedValues.parse(status.decidedValue());
    } catch (InvalidInputException e) {
      return new VerificationResult(false, "decided value: " + e.getMessage());
    }
    QuorumCertificate qc =
        new QuorumCertificate(status.clusterId(), status.txId(), value, status.certificate());
    return qc.verify(ca, memberCerts, t);
  }
}
