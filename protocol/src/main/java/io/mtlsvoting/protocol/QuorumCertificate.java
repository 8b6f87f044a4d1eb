package io.mtlsvoting.protocol;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Proof that {@code threshold} distinct members signed the same value for one transaction: the
 * signed votes themselves, checkable offline by anyone holding the CA certificate and the members'
 * certificates.
 */
public record QuorumCertificate(String clusterId, String txId, long value, List<Vote> votes) {
  public QuorumCertificate {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(txId, "txId");
    votes = List.copyOf(Objects.requireNonNull(votes, "votes"));
  }

  /** Outcome of {@link #verify}: {@code reason} says why a certificate was refused. */
  public record VerificationResult(boolean valid, String reason) {
    static final VerificationResult OK = new VerificationResult(true, "ok");

    static VerificationResult refused(String reason) {
      return new VerificationResult(false, reason);
    }
  }

  /** {@link #verify(X509Certificate, Map, int, Instant)} at the current time. */
  public VerificationResult verify(
      X509Certificate ca, Map<Integer, X509Certificate> memberCerts, int threshold) {
    return verify(ca, memberCerts, threshold, Instant.now());
  }

  /**
   * Checks that every vote is for this (cluster, tx, value), comes from a distinct member whose
   * certificate is signed by {@code ca}, valid at {@code at} and named {@code node-<id>} for the
   * vote's node id, carries a valid signature under that certificate's key, and that there are at
   * least {@code threshold} such votes. Any bad vote refuses the whole certificate.
   */
  public VerificationResult verify(
      X509Certificate ca, Map<Integer, X509Certificate> memberCerts, int threshold, Instant at) {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(memberCerts, "memberCerts");
    Objects.requireNonNull(at, "at");
    if (threshold < 1) {
      return VerificationResult.refused("threshold must be >= 1, got " + threshold);
    }
    Set<Integer> signers = new HashSet<>();
    for (Vote v : votes) {
      String who = "vote of node " + v.nodeId() + ": ";
      if (!v.txId().equals(txId)) {
        return VerificationResult.refused(who + "tx " + v.txId() + " is not " + txId);
      }
      if (v.value() != value) {
        return VerificationResult.refused(
            who
                + "value "
                + Long.toUnsignedString(v.value())
                + " is not "
                + Long.toUnsignedString(value));
      }
      if (!signers.add(v.nodeId())) {
        return VerificationResult.refused(who + "node signed more than once");
      }
      X509Certificate cert = memberCerts.get(v.nodeId());
      if (cert == null) {
        return VerificationResult.refused(who + "no certificate for this member");
      }
      String certProblem = checkCertificate(ca, cert, v.nodeId(), at);
      if (certProblem != null) {
        return VerificationResult.refused(who + certProblem);
      }
      if (!VoteVerifier.of(cert).verify(clusterId, v)) {
        return VerificationResult.refused(who + "signature does not verify");
      }
    }
    if (signers.size() < threshold) {
      return VerificationResult.refused(
          "only " + signers.size() + " distinct signers, threshold is " + threshold);
    }
    return VerificationResult.OK;
  }

  private static String checkCertificate(
      X509Certificate ca, X509Certificate cert, int nodeId, Instant at) {
    try {
      cert.verify(ca.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      return "certificate is not signed by the CA (" + e.getMessage() + ")";
    }
    try {
      cert.checkValidity(Date.from(at));
    } catch (GeneralSecurityException e) {
      return "certificate not valid at " + at + " (" + e.getMessage() + ")";
    }
    CertificateIdentity id;
    try {
      id = CertificateIdentity.of(cert);
    } catch (IdentityException e) {
      return "certificate identity refused: " + e.getMessage();
    }
    if (id.role() != CertificateIdentity.Role.NODE || id.nodeId() != nodeId) {
      return "certificate names "
          + cert.getSubjectX500Principal().getName()
          + ", not node-"
          + nodeId;
    }
    return null;
  }
}
