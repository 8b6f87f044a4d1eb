package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.DecodeException;
import io.mtlsvoting.protocol.Frames;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import io.mtlsvoting.protocol.Pem;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A hand-driven TLS client built from plain JDK classes, for playing a hostile peer in tests. */
final class RawPeer implements AutoCloseable {
  final SSLSocket socket;

  private RawPeer(SSLSocket socket) {
    this.socket = socket;
  }

  /**
   * Connects with {@code cert}/{@code key} (both null: no client certificate), trusting {@code ca}.
   */
  static RawPeer connect(int port, Path ca, Path cert, Path key, String protocol) throws Exception {
    return connect(port, context(ca, cert, key), protocol);
  }

  /** Connects with a prepared context (benchmarks reuse one). */
  static RawPeer connect(int port, SSLContext ctx, String protocol) throws Exception {
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    s.setEnabledProtocols(new String[] {protocol});
    s.setSoTimeout(20_000);
    return new RawPeer(s);
  }

  /** A client context with {@code cert}/{@code key} (null: none) trusting only {@code ca}. */
  static SSLContext context(Path ca, Path cert, Path key) throws Exception {
    KeyManagerFactory kmf = null;
    if (cert != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(
          "k",
          Pem.readPrivateKey(key),
          "pw".toCharArray(),
          Pem.readCertificates(cert).toArray(new java.security.cert.X509Certificate[0]));
      kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, "pw".toCharArray());
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("ca", Pem.readCertificate(ca));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(ts);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx;
  }

  void send(Message... messages) throws IOException {
    OutputStream out = socket.getOutputStream();
    for (Message m : messages) {
      out.write(Frames.frame(MessageCodec.encode(m)));
    }
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /**
   * Reads frames until the node closes the connection and returns what arrived. Fails (via
   * SocketTimeoutException) if the node keeps the connection open.
   */
  List<Message> readUntilClosed() throws IOException {
    List<Message> received = new ArrayList<>();
    InputStream in = socket.getInputStream();
    while (true) {
      try {
        received.add(MessageCodec.decode(Frames.readFrame(in, Frames.DEFAULT_MAX_FRAME_BYTES)));
      } catch (SocketTimeoutException e) {
        throw e;
      } catch (EOFException | SSLException | SocketException e) {
        return received;
      } catch (DecodeException e) {
        throw new IOException(e);
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
