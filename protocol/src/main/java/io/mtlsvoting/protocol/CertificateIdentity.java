package io.mtlsvoting.protocol;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a certificate speaks for: CN {@code node-<id>} is node {@code id}, CN {@code client-<name>}
 * is a CLI client; anything else is refused. For a client {@code nodeId} is 0, for a node {@code
 * clientName} is empty.
 */
public record CertificateIdentity(Role role, int nodeId, String clientName) {
  /** The two kinds of parties. */
  public enum Role {
    NODE,
    CLIENT
  }

  private static final Pattern NODE_CN = Pattern.compile("node-([1-9][0-9]{0,9})");
  private static final Pattern CLIENT_CN = Pattern.compile("client-([A-Za-z0-9._-]{1,64})");
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String ANY_EKU = "2.5.29.37.0";

  public CertificateIdentity {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(clientName, "clientName");
  }

  /** The identity of node {@code nodeId}. */
  public static CertificateIdentity node(int nodeId) {
    return new CertificateIdentity(Role.NODE, nodeId, "");
  }

  /** The identity of client {@code name}. */
  public static CertificateIdentity client(String name) {
    return new CertificateIdentity(Role.CLIENT, 0, name);
  }

  /** True for a node identity. */
  public boolean isNode() {
    return role == Role.NODE;
  }

  /**
   * The identity named by {@code cert}'s subject CN. Node certificates that carry an
   * extendedKeyUsage must include serverAuth.
   *
   * @throws IdentityException if the CN is missing, repeated or of another shape
   */
  public static CertificateIdentity of(X509Certificate cert) {
    Objects.requireNonNull(cert, "cert");
    String subject = cert.getSubjectX500Principal().getName();
    String cn = commonName(subject);
    var node = NODE_CN.matcher(cn);
    if (node.matches()) {
      long id = Long.parseLong(node.group(1));
      if (id > Integer.MAX_VALUE) {
        throw new IdentityException("certificate CN '" + cn + "': node id out of range");
      }
      requireServerAuth(cert, cn);
      return node((int) id);
    }
    var client = CLIENT_CN.matcher(cn);
    if (client.matches()) {
      return client(client.group(1));
    }
    throw new IdentityException(
        "certificate CN '"
            + cn
            + "' (subject '"
            + subject
            + "') is neither 'node-<positive id>' nor 'client-<name>' with name of 1-64"
            + " characters [A-Za-z0-9._-]");
  }

  /** Lower-case hex SHA-256 of the certificate's DER encoding. */
  public static String fingerprint(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate: " + e.getMessage(), e);
    }
  }

  private static String commonName(String subject) {
    List<String> cns = new ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cns.add(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      throw new IdentityException("certificate subject '" + subject + "' cannot be parsed");
    }
    if (cns.size() != 1) {
      throw new IdentityException(
          "certificate subject '" + subject + "' must have exactly one CN, has " + cns.size());
    }
    return cns.get(0);
  }

  private static void requireServerAuth(X509Certificate cert, String cn) {
    List<String> eku;
    try {
      eku = cert.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw new IdentityException("certificate CN '" + cn + "': unreadable extendedKeyUsage");
    }
    if (eku != null && !eku.contains(SERVER_AUTH) && !eku.contains(ANY_EKU)) {
      throw new IdentityException(
          "node certificate CN '" + cn + "' lacks extendedKeyUsage serverAuth (has " + eku + ")");
    }
  }
}
