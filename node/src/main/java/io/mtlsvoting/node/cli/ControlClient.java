package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.CertificateIdentity;
import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.ClientRequest;
import io.mtlsvoting.protocol.DecodeException;
import io.mtlsvoting.protocol.ErrorReply;
import io.mtlsvoting.protocol.Frames;
import io.mtlsvoting.protocol.IdentityException;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

/**
 * A blocking control-protocol connection to one node over mutual TLS 1.3: checks that the node
 * presents {@code node-<id>}, then sends request frames and reads the reply of each ({@link
 * ControlPipeline} keeps several outstanding on one connection). Every failure becomes a {@link
 * CliFailure} saying what to do.
 */
final class ControlClient implements AutoCloseable {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final AtomicLong REQUEST_IDS = new AtomicLong(System.nanoTime() & 0xffffffL);

  private final NodeAddress node;
  private final ClientTls tls;
  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;

  private ControlClient(NodeAddress node, ClientTls tls, SSLSocket socket) throws IOException {
    this.node = node;
    this.tls = tls;
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static long nextRequestId() {
    return REQUEST_IDS.incrementAndGet();
  }

  /** Connects and completes the TLS handshake with {@code node}. */
  static ControlClient connect(NodeAddress node, ClientTls tls) {
    InetSocketAddress target =
        new InetSocketAddress(node.address().getHostString(), node.address().getPort());
    if (target.isUnresolved()) {
      throw CliFailure.failed(
          "cannot resolve the host of " + node.describe() + "; check --node/--nodes");
    }
    Socket plain = new Socket();
    try {
      plain.connect(target, (int) CONNECT_TIMEOUT.toMillis());
      SSLSocket socket =
          (SSLSocket)
              tls.context()
                  .getSocketFactory()
                  .createSocket(plain, target.getHostString(), target.getPort(), true);
      socket.setEnabledProtocols(new String[] {"TLSv1.3"});
      socket.setUseClientMode(true);
      socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
      socket.startHandshake();
      checkIdentity(node, (X509Certificate) socket.getSession().getPeerCertificates()[0]);
      return new ControlClient(node, tls, socket);
    } catch (ConnectException | SocketTimeoutException | UnknownHostException e) {
      closeQuietly(plain);
      throw CliFailure.failed(
          "cannot reach "
              + node.describe()
              + " ("
              + e.getMessage()
              + "): is the node running? scripts/cluster.sh status");
    } catch (SSLHandshakeException e) {
      closeQuietly(plain);
      String refusal = tls.serverRefusal();
      throw CliFailure.failed(
          "TLS handshake with "
              + node.describe()
              + " failed: "
              + (refusal != null ? refusal : tls.certificateHint() + " [" + e.getMessage() + "]"));
    } catch (IOException e) {
      closeQuietly(plain);
      throw CliFailure.failed(
          "connection to "
              + node.describe()
              + " failed ("
              + e.getMessage()
              + "): is the node running? scripts/cluster.sh status");
    }
  }

  private static void checkIdentity(NodeAddress node, X509Certificate cert) {
    CertificateIdentity id;
    try {
      id = CertificateIdentity.of(cert);
    } catch (IdentityException e) {
      throw CliFailure.failed(node.describe() + " presented a certificate: " + e.getMessage());
    }
    if (!id.isNode()) {
      throw CliFailure.failed(
          node.describe() + " presented client-" + id.clientName() + ", not a node certificate");
    }
    if (node.nodeId().isPresent() && id.nodeId() != node.nodeId().getAsInt()) {
      throw CliFailure.failed(
          node.describe()
              + " presented the certificate of node-"
              + id.nodeId()
              + "; check the node addresses (--nodes/--config)");
    }
  }

  /**
   * Sends {@code request} and returns the node's reply; an {@link ErrorReply} is returned as is.
   * {@code timeout} bounds the wait for the reply.
   */
  ClientReply call(ClientRequest request, Duration timeout) {
    send(request);
    ClientReply reply = receive(timeout);
    if (reply.requestId() != request.requestId() && !(reply instanceof ErrorReply)) {
      throw CliFailure.failed(
          node.describe() + " answered request " + reply.requestId() + ", not ours");
    }
    return reply;
  }

  /** Writes one request frame; safe to call while another thread is in {@link #receive}. */
  synchronized void send(ClientRequest request) {
    try {
      out.write(Frames.frame(MessageCodec.encode(request)));
      out.flush();
    } catch (IOException e) {
      throw failure(e, Duration.ZERO);
    }
  }

  /**
   * Reads the next reply frame, waiting at most {@code timeout} ({@link Duration#ZERO}: without a
   * limit). Only one thread may receive at a time.
   */
  ClientReply receive(Duration timeout) {
    try {
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
      Message m = MessageCodec.decode(Frames.readFrame(in, Frames.DEFAULT_MAX_FRAME_BYTES));
      if (!(m instanceof ClientReply reply)) {
        // A node certificate is routed to the peer protocol: the node speaks Hello, then closes.
        throw CliFailure.failed(
            node.describe()
                + " answered with peer traffic ("
                + m.getClass().getSimpleName()
                + "), not the control protocol: "
                + tls.certificateHint());
      }
      return reply;
    } catch (IOException e) {
      throw failure(e, timeout);
    } catch (DecodeException e) {
      throw CliFailure.failed(node.describe() + " sent an unreadable reply: " + e.getMessage());
    }
  }

  private CliFailure failure(IOException e, Duration timeout) {
    if (e instanceof SocketTimeoutException) {
      return CliFailure.failed(
          node.describe() + " did not answer within " + timeout.toSeconds() + "s");
    }
    if (e instanceof EOFException || e instanceof SocketException || e instanceof SSLException) {
      return CliFailure.failed(
          node.describe()
              + " closed the connection without answering: "
              + tls.certificateHint()
              + " ["
              + e.getMessage()
              + "]");
    }
    return CliFailure.failed("connection to " + node.describe() + " failed: " + e.getMessage());
  }

  NodeAddress node() {
    return node;
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // nothing more to do with a connection we are leaving
    }
  }
}
