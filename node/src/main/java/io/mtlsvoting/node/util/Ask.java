package io.mtlsvoting.node.util;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.japi.function.Function2;

/**
 * {@link AskPattern#ask} returning a plain {@link CompletableFuture}.
 *
 * <p>Pekko's ask answers with Scala's {@code CompletableFuture} wrapper, which turns every
 * non-async stage ({@code thenApply}, {@code whenComplete}, ...) into its async variant on the
 * common pool; on a machine with two cores the common pool has no threads to spare and each stage
 * then starts a new thread. The future returned here completes on the thread that delivered the
 * reply, so stages chained on it run there, as the Java API promises.
 *
 * <p>The same holds for {@link ActorContext#ask} and for {@link ActorContext#pipeToSelf} given a
 * stage that Pekko made (an ask, a stream's materialized value): both chain {@code handle} on it,
 * which started one thread per call. Use {@link #pipe} and {@link #direct} instead.
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

  /**
   * {@link ActorContext#ask} without a thread per ask: asks {@code target} and sends {@code ctx}'s
   * actor what {@code toMessage} makes of the reply or the failure (a timeout after {@code
   * timeout}), mapped on the thread that delivered the reply.
   */
  public static <Req, Res, T> void pipe(
      ActorContext<T> ctx,
      RecipientRef<Req> target,
      Function<ActorRef<Res>, Req> messageFactory,
      Duration timeout,
      Function2<Res, Throwable, T> toMessage) {
    ctx.pipeToSelf(ask(target, messageFactory, timeout, ctx.getSystem().scheduler()), toMessage);
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
