package io.mtlsvoting.protocol;

import java.security.Key;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** Extracts raw Ed25519 key bytes from JDK keys' standard encodings, checking the algorithm OID. */
final class Ed25519Keys {
  static final int KEY_BYTES = 32;
  static final String ED25519_OID = "1.3.101.112";

  private Ed25519Keys() {}

  /** The 32-byte private seed of a PKCS#8-encoded Ed25519 private key. */
  static byte[] privateSeed(Key key) {
    byte[] encoded = encoded(key, "PKCS#8");
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(encoded);
      requireEd25519(info.getPrivateKeyAlgorithm().getAlgorithm().getId());
      byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
      if (seed.length != KEY_BYTES) {
        throw new InvalidInputException(
            "Ed25519 private key has " + seed.length + " bytes, not 32");
      }
      return seed;
    } catch (InvalidInputException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidInputException("not a PKCS#8 Ed25519 private key: " + e.getMessage());
    }
  }

  /** The 32-byte public key of an X.509 SubjectPublicKeyInfo-encoded Ed25519 public key. */
  static byte[] publicKey(Key key) {
    byte[] encoded = encoded(key, "X.509");
    try {
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(encoded);
      requireEd25519(info.getAlgorithm().getAlgorithm().getId());
      byte[] raw = info.getPublicKeyData().getOctets();
      if (raw.length != KEY_BYTES) {
        throw new InvalidInputException("Ed25519 public key has " + raw.length + " bytes, not 32");
      }
      return raw;
    } catch (InvalidInputException e) {
      throw e;
    } catch (Exception e) {
      throw new InvalidInputException("not an X.509 Ed25519 public key: " + e.getMessage());
    }
  }

  private static byte[] encoded(Key key, String expectedFormat) {
    if (key == null) {
      throw new InvalidInputException("key is null");
    }
    byte[] encoded = key.getEncoded();
    if (encoded == null || !expectedFormat.equalsIgnoreCase(key.getFormat())) {
      throw new InvalidInputException(
          "expected an Ed25519 key in "
              + expectedFormat
              + " format, got "
              + key.getAlgorithm()
              + " key in format "
              + key.getFormat());
    }
    return encoded;
  }

  private static void requireEd25519(String oid) {
    if (!Ed25519Keys.ED25519_OID.equals(oid)) {
      throw new InvalidInputException(
          "expected an Ed25519 key (OID 1.3.101.112), got algorithm OID " + oid);
    }
  }
}
