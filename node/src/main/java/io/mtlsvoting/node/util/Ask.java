package io.mtlsvoting.node.util;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/**
 * {@link AskPattern#ask} returning a plain {@link CompletableFuture}.
 *
 * <p>Pekko's ask answers with Scala's {@code CompletableFuture} wrapper, which turns every
 * non-async stage ({@code thenApply}, {@code whenComplete}, ...) into its async variant on the
 * common pool; on a machine with two cores the common pool has no threads to spare and each stage
 * then starts a new thread. The future returned here completes on the thread that delivered the
 * reply, so stages chained on it run there, as the Java API promises.
 */
public final class Ask {
  private Ask() {}

  public static <Req, Res> CompletableFuture<Res> ask(
      RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> messageFactory,
      Duration timeout,
      Scheduler scheduler) {
    return direct(AskPattern.ask(target, messageFactory, timeout, scheduler));
  }

  /** A plain future completed, on the completing thread, with the outcome of {@code stage}. */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> out = new CompletableFuture<>();
    stage.whenCompleteAsync(
        (value, error) -> {
          if (error != null) {
            out.completeExceptionally(error);
          } else {
            out.complete(value);
          }
        },
        Runnable::run);
    return out;
  }
}
