package io.mtlsvoting.persistence.journal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import scala.concurrent.Future;
import scala.concurrent.Promise;

/** Runs blocking JDBC work on a given executor and hands the outcome to Pekko as a Scala future. */
final class AsyncJdbc {

  /** A blocking database call. */
  @FunctionalInterface
  interface Work<T> {
    T call() throws Exception;
  }

  private AsyncJdbc() {}

  /** Runs {@code work} on {@code executor}; its exception (unwrapped) fails the future. */
  static <T> Future<T> run(Executor executor, Work<T> work) {
    Promise<T> promise = Promise.apply();
    try {
      executor.execute(
          () -> {
            try {
              promise.success(work.call());
            } catch (Exception | LinkageError e) {
              promise.failure(e);
            }
          });
    } catch (RuntimeException e) {
      promise.failure(e);
    }
    return promise.future();
  }

  /** Converts a Java stage, failing with the original cause rather than a wrapper. */
  static <T> Future<T> toScala(CompletionStage<T> stage) {
    Promise<T> promise = Promise.apply();
    stage.whenComplete(
        (value, error) -> {
          if (error == null) {
            promise.success(value);
          } else {
            Throwable cause = error;
            if (cause instanceof CompletionException && cause.getCause() != null) {
              cause = cause.getCause();
            }
            promise.failure(cause);
          }
        });
    return promise.future();
  }
}
