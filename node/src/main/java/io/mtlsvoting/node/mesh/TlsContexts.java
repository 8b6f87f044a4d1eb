package io.mtlsvoting.node.mesh;

import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.protocol.Pem;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Mutual TLS 1.3 material of a node: an {@link SSLContext} whose only trust anchor is the cluster
 * CA (with CRL checking when a CRL is configured; OCSP and CRL fetching off) and engine factories
 * that enforce TLSv1.3 and a client certificate.
 */
public final class TlsContexts {
  /** The only protocol offered or accepted. */
  public static final String TLS_13 = "TLSv1.3";

  private static final char[] STORE_PASSWORD = "in-memory".toCharArray();

  private final SSLContext context;
  private final X509Certificate ownCertificate;
  private final RecordingTrustManager trustManager;

  private TlsContexts(
      SSLContext context, X509Certificate ownCertificate, RecordingTrustManager trustManager) {
    this.context = context;
    this.ownCertificate = ownCertificate;
    this.trustManager = trustManager;
  }

  /** Why the peer certificate of {@code engine}'s handshake was refused, if it was. */
  Optional<String> refusal(SSLEngine engine) {
    return trustManager.failure(engine);
  }

  /** Builds the context from the node's configured CA, certificate, key and optional CRL. */
  public static TlsContexts create(NodeSettings.Tls tls) {
    Objects.requireNonNull(tls, "tls");
    X509Certificate ca = Pem.readCertificate(tls.caCert());
    List<X509Certificate> chain = Pem.readCertificates(tls.nodeCert());
    PrivateKey key = Pem.readPrivateKey(tls.nodeKey());
    Optional<X509CRL> crl = tls.crl().map(Pem::readCrl);
    return create(ca, chain, key, crl);
  }

  /** Builds the context from in-memory material. */
  public static TlsContexts create(
      X509Certificate ca, List<X509Certificate> chain, PrivateKey key, Optional<X509CRL> crl) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("node", key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(keys, STORE_PASSWORD);

      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      if (crl.isEmpty()) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        tmf.init(trust);
      } else {
        PKIXBuilderParameters params =
            new PKIXBuilderParameters(Set.of(new TrustAnchor(ca, null)), null);
        params.addCertStore(
            CertStore.getInstance(
                "Collection", new CollectionCertStoreParameters(List.of(crl.get()))));
        params.setRevocationEnabled(true);
        PKIXRevocationChecker revocation =
            (PKIXRevocationChecker) CertPathBuilder.getInstance("PKIX").getRevocationChecker();
        // CRLs only: no OCSP, no fallback to fetching anything over the network.
        revocation.setOptions(
            EnumSet.of(
                PKIXRevocationChecker.Option.PREFER_CRLS,
                PKIXRevocationChecker.Option.NO_FALLBACK));
        params.addCertPathChecker(revocation);
        tmf.init(new CertPathTrustManagerParameters(params));
      }
      RecordingTrustManager recording = null;
      for (TrustManager tm : tmf.getTrustManagers()) {
        if (tm instanceof X509ExtendedTrustManager x509) {
          recording = new RecordingTrustManager(x509);
        }
      }
      if (recording == null) {
        throw new IllegalStateException("no X509 trust manager available");
      }
      SSLContext context = SSLContext.getInstance("TLSv1.3");
      context.init(kmf.getKeyManagers(), new TrustManager[] {recording}, null);
      return new TlsContexts(context, chain.get(0), recording);
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build the TLS context: " + e.getMessage(), e);
    }
  }

  /** The underlying context (for tests and tools). */
  public SSLContext context() {
    return context;
  }

  /** This node's own leaf certificate. */
  public X509Certificate ownCertificate() {
    return ownCertificate;
  }

  /** A server-side engine: TLSv1.3 only, client certificate required. */
  public SSLEngine serverEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setSSLParameters(parameters(true));
    return engine;
  }

  /**
   * A client-side engine for dialling {@code peer}: TLSv1.3 only. Host names are not checked; the
   * peer's identity is its certificate CN, verified after the handshake.
   */
  public SSLEngine clientEngine(InetSocketAddress peer) {
    SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
    engine.setUseClientMode(true);
    engine.setSSLParameters(parameters(false));
    return engine;
  }

  private SSLParameters parameters(boolean server) {
    SSLParameters params = context.getDefaultSSLParameters();
    params.setProtocols(new String[] {TLS_13});
    if (server) {
      // setSSLParameters resets client auth, so it has to be part of the parameters.
      params.setNeedClientAuth(true);
    }
    return params;
  }
}
