package io.mtlsvoting.node.mesh;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.apache.pekko.stream.StreamTcpException;

/** Turns stream failures into the one-line reasons logged and shown in the peers view. */
final class Reasons {
  private Reasons() {}

  static String describe(Throwable error, boolean established, Link.Params params) {
    Throwable e = error;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof Link.LinkFailure) {
      return e.getMessage();
    }
    if (e instanceof TimeoutException) {
      return established
          ? "peer silent for " + params.silenceDeadline().toMillis() + " ms"
          : "no Hello within handshake-timeout " + params.handshakeTimeout().toMillis() + " ms";
    }
    if (e instanceof org.apache.pekko.stream.scaladsl.Framing.FramingException) {
      return "bad frame: " + e.getMessage();
    }
    SSLException ssl = find(e, SSLException.class);
    if (ssl != null) {
      return "TLS: " + ssl.getMessage();
    }
    if (e instanceof StreamTcpException) {
      return "TCP: " + e.getMessage();
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
