package io.mtlsvoting.node.control;

import io.mtlsvoting.protocol.ErrorReply;
import io.mtlsvoting.protocol.InvalidInputException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A control request the node answers with an {@link ErrorReply} code; and the one place where any
 * failure of a request is turned into such a reply.
 */
final class ControlFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String code;

  ControlFailure(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  static ControlFailure notFound(String message) {
    return new ControlFailure(ErrorReply.NOT_FOUND, message);
  }

  static ControlFailure forbidden(String message) {
    return new ControlFailure(ErrorReply.FORBIDDEN, message);
  }

  static ControlFailure invalid(String message) {
    return new ControlFailure(ErrorReply.INVALID_ARGUMENT, message);
  }

  /** The error reply for {@code failure} of the request {@code requestId} on node {@code self}. */
  static ErrorReply toReply(long requestId, int self, Throwable failure) {
    Throwable e = failure;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof ControlFailure f) {
      return new ErrorReply(requestId, f.code, f.getMessage());
    }
    if (e instanceof InvalidInputException || e instanceof IllegalArgumentException) {
      return new ErrorReply(requestId, ErrorReply.INVALID_ARGUMENT, e.getMessage());
    }
    if (e instanceof TimeoutException) {
      return new ErrorReply(
          requestId,
          ErrorReply.TIMEOUT,
          "node " + self + " did not answer in time (is it overloaded? see 'info' and its log)");
    }
    return new ErrorReply(
        requestId, ErrorReply.INTERNAL, "node " + self + " failed: " + e + " (see the node's log)");
  }
}
