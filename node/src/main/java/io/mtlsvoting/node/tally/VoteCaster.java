package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.protocol.TxIds;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

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
  private final JournalHealth journal;

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
    this(membership, signer, router, scheduler, askTimeout, clock, silenced, null);
  }

  /**
   * @param journal when present, an unanswered cast during a journal outage fails with a {@link
   *     JournalUnavailableException} instead of a bare ask timeout
   */
  public VoteCaster(
      Membership membership,
      VoteSigner signer,
      ActorRef<VoteRouter.Command> router,
      Scheduler scheduler,
      Duration askTimeout,
      LongSupplier clock,
      Predicate<String> silenced,
      JournalHealth journal) {
    this.journal = journal;
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
   * id; completes with {@link VoteTally.CastRefused} when this node already voted another value or
   * the journal failed to record the vote. Fails with {@link JournalUnavailableException} when the
   * tally did not answer within the ask timeout while the journal is known to be unavailable.
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
    long asked = System.nanoTime();
    CompletionStage<VoteTally.CastReply> reply =
        Ask.ask(
            router,
            (ActorRef<VoteTally.CastReply> replyTo) ->
                new VoteRouter.Route(txId, new VoteTally.CastOwn(vote, replyTo)),
            askTimeout,
            scheduler);
    return reply.exceptionallyCompose(e -> explainTimeout(txId, asked, e));
  }

  private CompletionStage<VoteTally.CastReply> explainTimeout(
      String txId, long askedNanos, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (journal != null && cause instanceof TimeoutException) {
      var problem = journal.problemSince(askedNanos);
      if (problem.isPresent()) {
        return CompletableFuture.failedFuture(
            new JournalUnavailableException(
                "journal unavailable ("
                    + problem.get()
                    + "): no answer for tx "
                    + txId
                    + " within "
                    + askTimeout.toMillis()
                    + " ms; it may still be recorded and sent when the journal returns: check the"
                    + " status or cast the same value again (a repeat is harmless)",
                cause));
      }
    }
    return CompletableFuture.failedFuture(cause);
  }

  /** The tally's state for {@code status} (spawns/recovers the tally if asleep). */
  public CompletionStage<TallyState> status(String txId) {
    return Ask.ask(
        router,
        (ActorRef<TallyState> replyTo) ->
            new VoteRouter.Route(txId, new VoteTally.GetState(replyTo)),
        askTimeout,
        scheduler);
  }

  /** Completes once the tx is decided or aborted ({@code vote --wait}). */
  public CompletionStage<TallyState> awaitDecision(String txId, Duration timeout) {
    return Ask.ask(
        router,
        (ActorRef<TallyState> replyTo) ->
            new VoteRouter.Route(txId, new VoteTally.AwaitDecision(replyTo)),
        timeout,
        scheduler);
  }
}
