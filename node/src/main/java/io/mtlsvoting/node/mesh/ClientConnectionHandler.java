package io.mtlsvoting.node.mesh;

import io.mtlsvoting.protocol.CertificateIdentity;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * Extension point for connections authenticated with a client certificate (CN {@code client-*}):
 * the control protocol serves them. The listener applies framing; the returned flow sees one frame
 * body per element in both directions.
 */
@FunctionalInterface
public interface ClientConnectionHandler {
  /** Reason logged and counted when client connections are refused. */
  String REFUSAL = "client certificates are served by the control protocol";

  /**
   * The flow serving client {@code identity}, or empty to refuse the connection. Called on a stream
   * thread; must not block.
   */
  Optional<Flow<ByteString, ByteString, NotUsed>> accept(
      CertificateIdentity identity, X509Certificate certificate);

  /** A handler that refuses every client connection (until the control protocol exists). */
  static ClientConnectionHandler refuseAll() {
    return (identity, certificate) -> Optional.empty();
  }
}
