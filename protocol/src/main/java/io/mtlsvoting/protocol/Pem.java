package io.mtlsvoting.protocol;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

/**
 * Reads certificates, CRLs and PKCS#8 Ed25519 private keys from PEM files. Every failure is a
 * {@link PemException} naming the file and what was expected.
 */
public final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)\\s*-----END \\1-----", Pattern.DOTALL);
  private static final Map<String, String> KEY_ALGORITHMS =
      Map.of(
          "1.2.840.113549.1.1.1", "RSA",
          "1.2.840.10045.2.1", "EC",
          "1.3.101.110", "X25519",
          "1.3.101.111", "X448",
          "1.3.101.113", "Ed448");

  private Pem() {}

  private record Block(String label, byte[] der) {}

  /** The first certificate in {@code file}. */
  public static X509Certificate readCertificate(Path file) {
    return readCertificates(file).get(0);
  }

  /** All certificates in {@code file}, in order (at least one). */
  public static List<X509Certificate> readCertificates(Path file) {
    List<X509Certificate> certs = new ArrayList<>();
    for (Block b : blocks(file, "CERTIFICATE")) {
      try {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new PemException(file + ": invalid certificate: " + e.getMessage(), e);
      }
    }
    return List.copyOf(certs);
  }

  /** The certificate revocation list in {@code file}. */
  public static X509CRL readCrl(Path file) {
    Block b = blocks(file, "X509 CRL").get(0);
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      return (X509CRL) cf.generateCRL(new ByteArrayInputStream(b.der()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new PemException(file + ": invalid CRL: " + e.getMessage(), e);
    }
  }

  /** The unencrypted PKCS#8 Ed25519 private key ({@code BEGIN PRIVATE KEY}) in {@code file}. */
  public static PrivateKey readPrivateKey(Path file) {
    List<Block> all = allBlocks(file);
    Block b =
        all.stream()
            .filter(x -> x.label().endsWith("PRIVATE KEY"))
            .findFirst()
            .orElseThrow(() -> noBlock(file, "PRIVATE KEY", all));
    if (!b.label().equals("PRIVATE KEY")) {
      throw new PemException(
          file
              + ": holds a '"
              + b.label()
              + "' block; expected an unencrypted PKCS#8 Ed25519 key ('BEGIN PRIVATE KEY'),"
              + " e.g. from `openssl genpkey -algorithm ed25519`");
    }
    String oid;
    try {
      oid = PrivateKeyInfo.getInstance(b.der()).getPrivateKeyAlgorithm().getAlgorithm().getId();
    } catch (RuntimeException e) {
      throw new PemException(file + ": not a valid PKCS#8 private key: " + e.getMessage(), e);
    }
    if (!Ed25519Keys.ED25519_OID.equals(oid)) {
      throw new PemException(
          file
              + ": holds a "
              + KEY_ALGORITHMS.getOrDefault(oid, "OID " + oid)
              + " private key; expected Ed25519");
    }
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(b.der()));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new PemException(file + ": invalid Ed25519 private key: " + e.getMessage(), e);
    }
  }

  private static List<Block> blocks(Path file, String label) {
    List<Block> all = allBlocks(file);
    List<Block> matching = all.stream().filter(b -> b.label().equals(label)).toList();
    if (matching.isEmpty()) {
      throw noBlock(file, label, all);
    }
    return matching;
  }

  private static PemException noBlock(Path file, String label, List<Block> all) {
    return new PemException(
        file
            + ": no '"
            + label
            + "' PEM block (found: "
            + all.stream().map(Block::label).toList()
            + ")");
  }

  private static List<Block> allBlocks(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      throw new PemException(file + ": file not found", e);
    } catch (IOException e) {
      throw new PemException(file + ": cannot read: " + e, e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String body = m.group(2);
      if (body.contains(":")) {
        throw new PemException(
            file + ": '" + m.group(1) + "' block has headers (encrypted?); not supported");
      }
      try {
        blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(body)));
      } catch (IllegalArgumentException e) {
        throw new PemException(file + ": invalid base64 in '" + m.group(1) + "' block", e);
      }
    }
    if (blocks.isEmpty()) {
      throw new PemException(file + ": not a PEM file (no -----BEGIN ...----- block)");
    }
    return blocks;
  }
}
