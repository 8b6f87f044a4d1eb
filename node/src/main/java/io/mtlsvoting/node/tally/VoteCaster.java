package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.TxIds;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Casts this node's own votes: signs with the node key and hands the vote to the local tally, which
 * refuses a second value and, once the vote is journaled, broadcasts it (via {@link
 * NodeTallyListener}). So this node never sends two values for one tx outside test-byzantine.
 */
public final class VoteCaster {
  private final Membership membership;
  private final VoteSigner signer;
  private final ActorRef<VoteRouter.Command> router;
  private final Scheduler scheduler;
  private final Duration askTimeout;
  private final LongSupplier clock;
  private final Predicate<String> silenced;

  /**
   * @param silenced txs this node must not vote on ({@link ByzantineActions#silenced}, or {@code tx
   *     -> false})
   */
  public VoteCaster(
      Membership membership,
      VoteSigner signer,
      ActorRef<VoteRouter.Command> router,
      Scheduler scheduler,
      Duration askTimeout,
      LongSupplier clock,
      Predicate<String> silenced) {
    this.membership = Objects.requireNonNull(membership, "membership");
    this.signer = Objects.requireNonNull(signer, "signer");
    this.router = Objects.requireNonNull(router, "router");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.askTimeout = Objects.requireNonNull(askTimeout, "askTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.silenced = Objects.requireNonNull(silenced, "silenced");
  }

  /**
   * Signs and casts {@code value} for {@code txId}. Fails with InvalidInputException for a bad tx
   * id; completes with {@link VoteTally.CastRefused} when this node already voted another value.
   */
  public CompletionStage<VoteTally.CastReply> castVote(String txId, long value) {
    try {
      TxIds.validate(txId);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (silenced.test(txId)) {
      return CompletableFuture.completedFuture(
          new VoteTally.CastRefused("tx " + txId + " is silenced by test-byzantine"));
    }
    Vote vote =
        signer.sign(membership.clusterId(), txId, membership.selfId(), value, clock.getAsLong());
    return AskPattern.ask(
        router,
        (ActorRef<VoteTally.CastReply> replyTo) ->
            new VoteRouter.Route(txId, new VoteTally.CastOwn(vote, replyTo)),
        askTimeout,
        scheduler);
  }

  /** The tally's state for {@code status} (spawns/recovers the tally if asleep). */
  public CompletionStage<TallyState> status(String txId) {
    return AskPattern.ask(
        router,
        (ActorRef<TallyState> replyTo) ->
            new VoteRouter.Route(txId, new VoteTally.GetState(replyTo)),
        askTimeout,
        scheduler);
  }

  /** Completes once the tx is decided or aborted ({@code vote --wait}). */
  public CompletionStage<TallyState> awaitDecision(String txId, Duration timeout) {
    return AskPattern.ask(
        router,
        (ActorRef<TallyState> replyTo) ->
            new VoteRouter.Route(txId, new VoteTally.AwaitDecision(replyTo)),
        timeout,
        scheduler);
  }
}
