package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs every etcd request with the request timeout, turns failures into this package's exceptions
 * with a message naming the operation and the endpoints, and keeps the health state they imply.
 */
final class EtcdCalls {
  private final List<URI> endpoints;
  private final Duration requestTimeout;
  private volatile boolean healthy;
  private final AtomicReference<String> lastError = new AtomicReference<>();

  EtcdCalls(List<URI> endpoints, Duration requestTimeout) {
    this.endpoints = List.copyOf(endpoints);
    this.requestTimeout = requestTimeout;
  }

  /** Runs {@code op}, bounded by the request timeout; {@code what} names it in errors. */
  <T> CompletableFuture<T> call(String what, Supplier<CompletableFuture<T>> op) {
    CompletableFuture<T> started;
    try {
      started = op.get();
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    started
        .orTimeout(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                markHealthy();
                result.complete(value);
              } else {
                result.completeExceptionally(translate(what, error));
              }
            });
    return result;
  }

  /** Maps {@code error} to an {@link EtcdCoordinationException}, recording connectivity errors. */
  EtcdCoordinationException translate(String what, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof EtcdCoordinationException known) {
      return known;
    }
    if (cause instanceof TimeoutException) {
      return unavailable(
          what + ": etcd at " + endpoints + " did not answer within " + requestTimeout, cause);
    }
    if (cause instanceof ClosedClientException) {
      return new EtcdCoordinationException(what + ": the etcd client is closed", cause);
    }
    Status status = Status.fromThrowable(cause);
    String code =
        cause instanceof EtcdException e ? e.getErrorCode().name() : status.getCode().name();
    String detail = status.getDescription() != null ? status.getDescription() : cause.getMessage();
    if (code.equals("UNAVAILABLE")
        || code.equals("DEADLINE_EXCEEDED")
        || status.getCode() == Status.Code.UNAVAILABLE
        || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return unavailable(
          what + ": etcd at " + endpoints + " is unreachable (" + code + ": " + detail + ")",
          cause);
    }
    return new EtcdCoordinationException(what + ": etcd error " + code + ": " + detail, cause);
  }

  /**
   * Whether {@code error} or any of its causes (also under a translated {@link
   * EtcdCoordinationException}) is an etcd "lease not found" answer.
   */
  static boolean isLeaseNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if ((t instanceof EtcdException e && e.getErrorCode() == ErrorCode.NOT_FOUND)
          || String.valueOf(t.getMessage()).contains("requested lease not found")) {
        return true;
      }
    }
    return false;
  }

  private EtcdUnavailableException unavailable(String message, Throwable cause) {
    markUnhealthy(message);
    return new EtcdUnavailableException(message, cause);
  }

  void markHealthy() {
    healthy = true;
  }

  void markUnhealthy(String message) {
    healthy = false;
    lastError.set(Instant.now() + " " + message);
  }

  boolean isHealthy() {
    return healthy;
  }

  Optional<String> lastError() {
    return Optional.ofNullable(lastError.get());
  }

  /** Rethrowable form of a future's failure, for use inside {@code handle}. */
  static CompletionException asCompletion(Throwable error) {
    return error instanceof CompletionException c ? c : new CompletionException(unwrap(error));
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
