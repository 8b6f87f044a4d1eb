package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.util.PersistenceIds;
import io.mtlsvoting.protocol.Evidence;
import io.mtlsvoting.protocol.Vote;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.event.Level;

/**
 * Event-sourced tally of one transaction on this node (persistence id {@code
 * node-<self>|tx-<txId>}). Delegates every decision to {@link TallyRules}, journals the resulting
 * events and only then tells the listener, waiting clients and the reply-to. When a write fails
 * (journal unavailable) the tally restarts with backoff; the command being written is then not
 * lost: an own vote is refused with a clear reason, anything else is held (bounded) and
 * re-delivered once the restarted tally has recovered.
 */
public final class VoteTally
    extends EventSourcedBehaviorWithEnforcedReplies<VoteTally.Command, TallyEvent, TallyState> {

  /** Messages a tally understands; all but the replies' senders come through the router. */
  public sealed interface Command {}

  /** A vote whose signature and sender were already verified. */
  public record Deliver(Vote vote) implements Command {}

  /** This node's own signed vote; refused if this node already voted another value. */
  public record CastOwn(Vote vote, ActorRef<CastReply> replyTo) implements Command {}

  /** The authenticated peer {@code senderId} sent {@code vote}, which failed verification. */
  public record ReportInvalidSignature(int senderId, Vote vote, String reason) implements Command {}

  /** Verified proof of a double vote, received from peer {@code reporterId}. */
  public record ReportEvidence(Evidence evidence, int reporterId) implements Command {}

  /**
   * A verified vote of another node echoed by a peer: never counted, only compared with the vote
   * this tally holds from the same node; a different value proves a double vote.
   */
  public record CrossCheck(Vote vote) implements Command {}

  /** The ban authority banned {@code nodeId}. */
  public record ExcludeBanned(int nodeId) implements Command {}

  /** Rule 8: etcd holds {@code storedValue} under this tx. */
  public record Commit(long storedValue, ActorRef<CommitReply> replyTo) implements Command {}

  public record GetState(ActorRef<TallyState> replyTo) implements Command {}

  /** Replies once the tally has decided or aborted (at once if it already has). */
  public record AwaitDecision(ActorRef<TallyState> replyTo) implements Command {}

  /** Checks the vote-timeout deadline against the clock; sent by the tally's own timer. */
  public record DeadlineTick() implements Command {}

  /** Asks a quiescent tally to offer itself for passivation; sent by its idle timer. */
  public record IdleCheck() implements Command {}

  /** Sent by the router after {@link VoteRouter.TallyIdle}: stop after the mailbox so far. */
  public record Stop() implements Command {}

  /** Journals the deferred peer votes now; sent by the tally's own flush timer. */
  public record FlushVotes() implements Command {}

  /**
   * Asks the members whose votes are still missing for them (tally.vote-request-interval); sent by
   * the tally's own timer until its deadline.
   */
  public record RequestMissing() implements Command {}

  /** Peer {@code peerId} asked for this node's vote on the tx: send it if there is one. */
  public record SendOwnVote(int peerId) implements Command {}

  /** Answer to {@link CastOwn}. */
  public sealed interface CastReply {}

  public record CastAccepted(Vote vote, TallyState state) implements CastReply {}

  public record AlreadyVoted(Vote vote, TallyState state) implements CastReply {}

  public record CastRefused(String reason) implements CastReply {}

  /** Answer to {@link Commit}. */
  public record CommitReply(TallyRules.CommitOutcome outcome, TallyState state) {}

  private static final String DEADLINE_TIMER = "deadline";
  private static final String IDLE_TIMER = "idle";
  private static final String FLUSH_TIMER = "flush";
  private static final String REQUEST_TIMER = "request";

  /**
   * Most commands one tally holds for re-delivery. Only the command being written when the journal
   * failed is held here (Pekko keeps the ones that arrive meanwhile), so this is never reached
   * unless re-delivered commands fail again and again.
   */
  static final int MAX_HELD = 64;

  private final String txId;
  private final TallyDeps deps;
  private final TallyRules rules;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ActorRef<VoteRouter.Command> parent;
  private final List<ActorRef<TallyState>> waiters = new ArrayList<>();
  // The tally object outlives the restarts of its behaviour (supervision wraps only the inside),
  // so these survive a journal failure.
  private final List<Command> retry = new ArrayList<>();
  private Command inFlight;
  // Peer votes that decide nothing are not journaled on their own (tally.vote-flush-delay): their
  // events wait here, `view` is the journaled state with them applied, and `deferredFrom` holds
  // the commands they came from, re-delivered if the write that finally carries them fails.
  private final List<TallyEvent> unjournaled = new ArrayList<>();
  private final List<Command> deferredFrom = new ArrayList<>();
  private final List<Command> deferredInFlight = new ArrayList<>();
  private TallyState view;

  private VoteTally(
      String txId,
      TallyDeps deps,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<VoteRouter.Command> parent) {
    super(
        persistenceId(deps.membership().selfId(), txId),
        // Short backoff: a tally retries its journal every few seconds during an outage, so it
        // resumes soon after the database returns. JournalHealth logs the outage once.
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(3), 0.2)
            .withLogLevel(Level.DEBUG));
    this.txId = txId;
    this.deps = deps;
    this.rules = deps.rules();
    this.ctx = ctx;
    this.timers = timers;
    this.parent = parent;
  }

  /**
   * A tally for {@code txId}; {@code parent} (may be null in tests) is told when the tally is idle
   * and may be passivated.
   */
  public static Behavior<Command> create(
      String txId, TallyDeps deps, ActorRef<VoteRouter.Command> parent) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new VoteTally(txId, deps, ctx, timers, parent)));
  }

  public static PersistenceId persistenceId(int selfId, String txId) {
    return PersistenceId.ofUniqueId(PersistenceIds.nodePrefix(selfId) + "tx-" + txId);
  }

  /** Tallies never snapshot, so recovery skips the snapshot store (one query less per tx). */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public TallyState emptyState() {
    return TallyState.empty(txId);
  }

  @Override
  public CommandHandlerWithReply<Command, TallyEvent, TallyState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Deliver.class, this::onDeliver)
        .onCommand(CastOwn.class, this::onCastOwn)
        .onCommand(ReportInvalidSignature.class, this::onInvalidSignature)
        .onCommand(ReportEvidence.class, this::onEvidence)
        .onCommand(CrossCheck.class, this::onCrossCheck)
        .onCommand(
            ExcludeBanned.class,
            (s, c) -> persistStep(c, rules.onBanned(current(s), c.nodeId(), deps.bans()).events()))
        .onCommand(Commit.class, this::onCommit)
        .onCommand(GetState.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(AwaitDecision.class, this::onAwait)
        .onCommand(DeadlineTick.class, this::onDeadline)
        .onCommand(IdleCheck.class, this::onIdleCheck)
        .onCommand(Stop.class, this::onStop)
        .onCommand(FlushVotes.class, (s, c) -> persistStep(c, List.of()))
        .onCommand(RequestMissing.class, this::onRequestMissing)
        .onCommand(SendOwnVote.class, this::onSendOwnVote)
        .build();
  }

  private ReplyEffect<TallyEvent, TallyState> onDeliver(TallyState s, Deliver c) {
    TallyState cur = current(s);
    TallyRules.Step step = rules.onVote(cur, c.vote(), deps.clock().getAsLong(), deps.bans());
    deps.metrics().increment("votes." + step.outcome().name().toLowerCase());
    if (deferrable(step.events())) {
      defer(c, cur, step.events());
      return Effect().noReply();
    }
    return persistStep(c, step.events());
  }

  /**
   * True for events nobody is told of: a peer's vote counted (and the tally opened by it) without
   * deciding anything or recording a violation. They wait for the tally's next write.
   */
  private boolean deferrable(List<TallyEvent> events) {
    if (events.isEmpty() || deps.settings().voteFlushDelay().isZero()) {
      return false;
    }
    int self = deps.membership().selfId();
    for (TallyEvent e : events) {
      boolean peerVote = e instanceof TallyEvent.VoteCounted vc && vc.vote().nodeId() != self;
      if (!peerVote && !(e instanceof TallyEvent.Opened)) {
        return false;
      }
    }
    return true;
  }

  private void defer(Command c, TallyState cur, List<TallyEvent> events) {
    if (unjournaled.isEmpty()) {
      timers.startSingleTimer(FLUSH_TIMER, new FlushVotes(), deps.settings().voteFlushDelay());
    }
    TallyState v = cur;
    for (TallyEvent e : events) {
      v = v.apply(e);
      unjournaled.add(e);
      if (e instanceof TallyEvent.Opened) {
        scheduleDeadline(v);
        scheduleRequest();
      }
    }
    view = v;
    deferredFrom.add(c);
  }

  /** The state decisions are taken on: the journaled one plus the deferred peer votes. */
  private TallyState current(TallyState s) {
    return unjournaled.isEmpty() ? s : view;
  }

  /** {@code events} preceded by the deferred ones, which from now on ride on this write. */
  private List<TallyEvent> withDeferred(List<TallyEvent> events) {
    if (unjournaled.isEmpty()) {
      return events;
    }
    List<TallyEvent> all = new ArrayList<>(unjournaled.size() + events.size());
    all.addAll(unjournaled);
    all.addAll(events);
    deferredInFlight.addAll(deferredFrom);
    unjournaled.clear();
    deferredFrom.clear();
    view = null;
    timers.cancel(FLUSH_TIMER);
    return all;
  }

  private ReplyEffect<TallyEvent, TallyState> onStop(TallyState s, Stop c) {
    if (unjournaled.isEmpty()) {
      return Effect().stop().thenNoReply();
    }
    // A vote arrived after the tally offered itself for passivation: journal it, then stop.
    List<TallyEvent> all = withDeferred(List.of());
    inFlight = c;
    return Effect()
        .persist(all)
        .thenRun((TallyState after) -> afterPersist(all, after))
        .thenStop()
        .thenNoReply();
  }

  private ReplyEffect<TallyEvent, TallyState> onCastOwn(TallyState s, CastOwn c) {
    Vote vote = c.vote();
    int self = deps.membership().selfId();
    if (vote.nodeId() != self || !vote.txId().equals(txId)) {
      return Effect().reply(c.replyTo(), new CastRefused("not this node's vote for " + txId));
    }
    TallyState cur = current(s);
    Vote mine = cur.votes().get(self);
    if (mine != null && mine.value() == vote.value()) {
      if (s.votes().get(self) != null) {
        // Journaled already: send it again, the first send may have been lost with the answer.
        deps.listener().onOwnVoteRepeated(mine);
      }
      return Effect().reply(c.replyTo(), new AlreadyVoted(mine, s));
    }
    if (mine != null || cur.excluded().contains(self)) {
      String had = mine == null ? "a vote" : Long.toUnsignedString(mine.value());
      return Effect()
          .reply(
              c.replyTo(),
              new CastRefused("node " + self + " already voted " + had + " for tx " + txId));
    }
    if (cur.phase().aborted()) {
      return Effect().reply(c.replyTo(), new CastRefused("tx " + txId + " is " + cur.phase()));
    }
    TallyRules.Step step = rules.onVote(cur, vote, deps.clock().getAsLong(), deps.bans());
    if (step.outcome() != TallyRules.VoteOutcome.COUNTED) {
      return Effect()
          .reply(c.replyTo(), new CastRefused("own vote not counted: " + step.outcome()));
    }
    inFlight = c;
    List<TallyEvent> all = withDeferred(step.events());
    return Effect()
        .persist(all)
        .thenRun((TallyState after) -> afterPersist(all, after))
        .thenReply(c.replyTo(), after -> new CastAccepted(vote, after));
  }

  private ReplyEffect<TallyEvent, TallyState> onInvalidSignature(
      TallyState s, ReportInvalidSignature c) {
    return persistStep(
        c,
        rules
            .onInvalidSignature(current(s), c.senderId(), c.vote(), c.reason(), deps.bans())
            .events());
  }

  private ReplyEffect<TallyEvent, TallyState> onEvidence(TallyState s, ReportEvidence c) {
    Evidence e = c.evidence();
    return persistStep(
        c,
        rules.onEvidence(current(s), e.first(), e.second(), c.reporterId(), deps.bans()).events());
  }

  private ReplyEffect<TallyEvent, TallyState> onCrossCheck(TallyState s, CrossCheck c) {
    Vote echoed = c.vote();
    TallyState cur = current(s);
    Vote held = cur.votes().get(echoed.nodeId());
    if (held == null || held.value() == echoed.value()) {
      return persistStep(c, List.of());
    }
    // This node now holds both signed values itself, so it reports (and gossips) the proof.
    int self = deps.membership().selfId();
    return persistStep(c, rules.onEvidence(cur, held, echoed, self, deps.bans()).events());
  }

  private ReplyEffect<TallyEvent, TallyState> onCommit(TallyState s, Commit c) {
    TallyRules.CommitStep step = rules.onCommit(current(s), c.storedValue());
    if (step.events().isEmpty()) {
      return Effect().reply(c.replyTo(), new CommitReply(step.outcome(), s));
    }
    inFlight = c;
    List<TallyEvent> all = withDeferred(step.events());
    return Effect()
        .persist(all)
        .thenRun((TallyState after) -> afterPersist(all, after))
        .thenReply(c.replyTo(), after -> new CommitReply(step.outcome(), after));
  }

  private ReplyEffect<TallyEvent, TallyState> onAwait(TallyState s, AwaitDecision c) {
    if (s.phase().decided() || s.phase().terminal()) {
      return Effect().reply(c.replyTo(), s);
    }
    waiters.add(c.replyTo());
    return Effect().noReply();
  }

  private ReplyEffect<TallyEvent, TallyState> onDeadline(TallyState s, DeadlineTick c) {
    long now = deps.clock().getAsLong();
    TallyState cur = current(s);
    if (cur.phase() != Phase.NEW && !cur.deadlineReached() && now < cur.deadline()) {
      scheduleDeadline(cur);
      return Effect().noReply();
    }
    return persistStep(c, rules.onDeadline(cur, now, deps.bans()).events());
  }

  /**
   * Asks each member without a vote here (not banned, not excluded) for its vote, and again after
   * the interval while the deadline is ahead: a vote lost on the way (link down, this node or the
   * peer restarting) would otherwise be missing until the deadline, which records it as silent.
   */
  private ReplyEffect<TallyEvent, TallyState> onRequestMissing(TallyState s, RequestMissing c) {
    TallyState cur = current(s);
    long now = deps.clock().getAsLong();
    if (cur.phase() == Phase.NEW || cur.deadlineReached() || now >= cur.deadline()) {
      return Effect().noReply();
    }
    List<Integer> missing = new ArrayList<>();
    for (int id : deps.membership().members()) {
      if (id != deps.membership().selfId()
          && !cur.votes().containsKey(id)
          && !cur.excluded().contains(id)
          && !deps.bans().test(id)) {
        missing.add(id);
      }
    }
    if (!missing.isEmpty()) {
      deps.metrics().increment("votes.requested", missing.size());
      deps.listener().onVotesMissing(txId, List.copyOf(missing));
      scheduleRequest();
    }
    return Effect().noReply();
  }

  private ReplyEffect<TallyEvent, TallyState> onSendOwnVote(TallyState s, SendOwnVote c) {
    // Own votes are journaled before anything else happens, so the journaled state holds it.
    Vote mine = s.votes().get(deps.membership().selfId());
    if (mine != null && !deps.bans().test(c.peerId())) {
      deps.metrics().increment("votes.sent-on-request");
      deps.listener().onVoteRequested(mine, c.peerId());
    }
    if (s.phase() == Phase.NEW && unjournaled.isEmpty() && waiters.isEmpty() && parent != null) {
      // Woken only to answer (nothing journaled, nobody waiting): offer to stop now, not after the
      // idle time.
      parent.tell(new VoteRouter.TallyIdle(txId, ctx.getSelf()));
      return Effect().noReply();
    }
    return Effect().none().thenRun(this::touch).thenNoReply();
  }

  private ReplyEffect<TallyEvent, TallyState> onIdleCheck(TallyState s, IdleCheck c) {
    if (!unjournaled.isEmpty()) {
      return persistStep(c, List.of());
    }
    if (s.quiescent(deps.membership()) && parent != null) {
      parent.tell(new VoteRouter.TallyIdle(txId, ctx.getSelf()));
    }
    return Effect().noReply();
  }

  private ReplyEffect<TallyEvent, TallyState> persistStep(Command c, List<TallyEvent> events) {
    List<TallyEvent> all = withDeferred(events);
    if (all.isEmpty()) {
      return Effect().none().thenRun(this::touch).thenNoReply();
    }
    inFlight = c instanceof FlushVotes || c instanceof IdleCheck ? null : c;
    return Effect()
        .persist(all)
        .thenRun((TallyState after) -> afterPersist(all, after))
        .thenNoReply();
  }

  /** Runs after the events are journaled: the only place the outside world hears of them. */
  private void afterPersist(List<TallyEvent> events, TallyState after) {
    inFlight = null;
    deferredInFlight.clear();
    deps.metrics().journal().succeeded();
    for (TallyEvent e : events) {
      if (e instanceof TallyEvent.Opened) {
        scheduleDeadline(after);
        scheduleRequest();
      }
      deps.listener().onEvent(e, after);
    }
    if (!waiters.isEmpty() && (after.phase().decided() || after.phase().terminal())) {
      waiters.forEach(w -> w.tell(after));
      waiters.clear();
    }
    touch(after);
  }

  /** Restarts the idle timer of a quiescent tally: it is passivated only after a quiet period. */
  private void touch(TallyState s) {
    if (unjournaled.isEmpty() && s.quiescent(deps.membership())) {
      timers.startSingleTimer(IDLE_TIMER, new IdleCheck(), deps.settings().passivateAfter());
    }
  }

  private void scheduleRequest() {
    Duration every = deps.settings().voteRequestInterval();
    if (!every.isZero()) {
      timers.startSingleTimer(REQUEST_TIMER, new RequestMissing(), every);
    }
  }

  private void scheduleDeadline(TallyState s) {
    long delay = Math.max(0L, s.deadline() - deps.clock().getAsLong());
    timers.startSingleTimer(DEADLINE_TIMER, new DeadlineTick(), Duration.ofMillis(delay));
  }

  @Override
  public EventHandler<TallyState, TallyEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(TallyState::apply);
  }

  @Override
  public SignalHandler<TallyState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(JournalPersistFailed.class, (s, signal) -> onPersistFailed(signal.failure()))
        .onSignal(
            RecoveryFailed.class,
            (s, signal) -> deps.metrics().journal().failed(signal.getFailure()))
        .build();
  }

  /**
   * The write of {@link #inFlight}'s events failed and the tally is about to restart: its own vote
   * is refused (the caller may cast it again), anything else is held and re-delivered after the
   * restart. Everything that arrives meanwhile waits in Pekko's bounded stashes.
   */
  private void onPersistFailed(Throwable cause) {
    JournalHealth journal = deps.metrics().journal();
    journal.failed(cause);
    Command c = inFlight;
    inFlight = null;
    // Deferred peer votes that rode on the failed write are delivered again after the restart.
    for (Command d : deferredInFlight) {
      hold(d, journal);
    }
    deferredInFlight.clear();
    if (c == null) {
      return;
    }
    if (c instanceof CastOwn own) {
      journal.refused();
      own.replyTo()
          .tell(
              new CastRefused(
                  "journal unavailable ("
                      + JournalHealth.describe(cause)
                      + "): the vote for tx "
                      + txId
                      + " was not recorded; cast it again later"));
    } else {
      hold(c, journal);
    }
  }

  private void hold(Command c, JournalHealth journal) {
    if (retry.size() < MAX_HELD) {
      retry.add(c);
      journal.held(c);
    } else {
      journal.dropped(c, txId);
    }
  }

  /** Resumes the original deadline and catches up with bans made while this tally was asleep. */
  private void onRecovered(TallyState s) {
    deps.metrics().journal().succeeded();
    if (!retry.isEmpty()) {
      retry.forEach(ctx.getSelf()::tell);
      deps.metrics().journal().redelivered(retry.size());
      retry.clear();
    }
    if (s.phase() != Phase.NEW && !s.deadlineReached()) {
      scheduleDeadline(s);
      scheduleRequest();
    }
    if (s.phase() == Phase.COLLECTING) {
      for (int id : deps.bans().snapshot()) {
        if (deps.membership().member(id) && !s.excluded().contains(id)) {
          ctx.getSelf().tell(new ExcludeBanned(id));
        }
      }
    }
    touch(s);
  }
}
