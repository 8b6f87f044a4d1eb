package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.CertificateIdentity;
import io.mtlsvoting.protocol.IdentityException;
import io.mtlsvoting.protocol.Pem;
import io.mtlsvoting.protocol.PemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The CLI's TLS 1.3 material: its client certificate and key, and the cluster CA as the only trust
 * anchor. Records why a node's certificate was refused, so the error can say so.
 */
final class ClientTls {
  private static final char[] PASSWORD = "in-memory".toCharArray();

  private final SSLContext context;
  private final Path certFile;
  private final String clientSubject;

  private final AtomicReference<String> serverRefusal;

  private ClientTls(
      SSLContext context,
      Path certFile,
      String clientSubject,
      AtomicReference<String> serverRefusal) {
    this.context = context;
    this.certFile = certFile;
    this.clientSubject = clientSubject;
    this.serverRefusal = serverRefusal;
  }

  static ClientTls load(Path cert, Path key, Path ca) {
    requireFile(cert, "client certificate", "--cert or CLIENT_CERT_PATH");
    requireFile(key, "client key", "--key or CLIENT_KEY_PATH");
    requireFile(ca, "CA certificate", "--ca or CA_CERT_PATH");
    try {
      List<X509Certificate> chain = Pem.readCertificates(cert);
      PrivateKey privateKey = Pem.readPrivateKey(key);
      X509Certificate caCert = Pem.readCertificate(ca);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("client", privateKey, PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(keys, PASSWORD);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", caCert);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(trust);
      X509TrustManager delegate = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509TrustManager x) {
          delegate = x;
        }
      }
      SSLContext context = SSLContext.getInstance("TLSv1.3");
      AtomicReference<String> refusal = new AtomicReference<>();
      X509TrustManager checked = delegate;
      TrustManager recording =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a)
                throws CertificateException {
              throw new CertificateException("the CLI accepts no client connections");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a)
                throws CertificateException {
              try {
                checked.checkServerTrusted(c, a);
              } catch (CertificateException e) {
                refusal.set(
                    "the node's certificate ("
                        + (c.length == 0 ? "none" : c[0].getSubjectX500Principal().getName())
                        + ") is not issued by the CA in "
                        + ca
                        + ": "
                        + e.getMessage());
                throw e;
              }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return checked.getAcceptedIssuers();
            }
          };
      context.init(kmf.getKeyManagers(), new TrustManager[] {recording}, null);
      return new ClientTls(
          context, cert, chain.get(0).getSubjectX500Principal().getName(), refusal);
    } catch (PemException e) {
      throw CliFailure.failed(e.getMessage());
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw CliFailure.failed("cannot set up TLS with " + cert + ": " + e.getMessage());
    }
  }

  private static void requireFile(Path file, String what, String option) {
    if (!Files.isReadable(file)) {
      throw CliFailure.failed(
          what
              + " "
              + file
              + " not found or not readable; create the certificates with"
              + " scripts/generate-certs.sh, or point "
              + option
              + " at yours");
    }
  }

  SSLContext context() {
    return context;
  }

  /** Why the last handshake refused the node's certificate, if it did. */
  String serverRefusal() {
    return serverRefusal.get();
  }

  /** A hint naming the client certificate and whether it is a client certificate at all. */
  String certificateHint() {
    try {
      CertificateIdentity id = CertificateIdentity.of(Pem.readCertificate(certFile));
      if (id.isNode()) {
        return "the node refused the certificate "
            + certFile
            + " (a NODE certificate, CN node-"
            + id.nodeId()
            + "); use a client certificate (CN client-*), e.g. certs/client.crt from"
            + " scripts/generate-certs.sh";
      }
      return "the node refused or dropped the connection of "
          + certFile
          + " (CN client-"
          + id.clientName()
          + "); is it revoked or from another CA? see the node's log";
    } catch (IdentityException | PemException e) {
      return "the node refused the certificate "
          + certFile
          + " ("
          + clientSubject
          + "); use a client certificate (CN client-*) signed by the cluster CA";
    }
  }
}
