package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.util.PersistenceIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;

/**
 * The node's ban authority (persistence id {@code node-<self>|reputation}): applies penalties, bans
 * and operator unbans, journals them, then publishes the banned set to the shared {@link BanView}.
 * This node never penalizes or bans itself: it trusts its own votes, its peers judge it.
 */
public final class BanRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<
        BanRegistry.Command, ReputationEvent, ReputationState> {

  /** Messages of the ban authority. */
  public sealed interface Command {}

  /** A MINORITY_VOTE or SILENT_FAILURE penalty. */
  public record Penalize(int nodeId, ViolationType type, String txId) implements Command {}

  /** A proven DOUBLE_VOTING or INVALID_SIGNATURE: ban at once. */
  public record Ban(int nodeId, ViolationType type, String txId, String reason)
      implements Command {}

  /** Operator request; the score is reset to 1.0 (a clean slate, not probation at ban-below). */
  public record Unban(int nodeId, ActorRef<UnbanResult> replyTo) implements Command {}

  public record GetReputation(ActorRef<ReputationState> replyTo) implements Command {}

  /** Answer to {@link Unban}: {@code wasBanned} false when there was nothing to lift. */
  public record UnbanResult(int nodeId, boolean wasBanned, ReputationState state) {}

  private final int selfId;
  private final TallySettings settings;
  private final BanView view;
  private final LongSupplier clockMillis;
  private final Logger log;

  /** When each member was last charged for silence (clock millis); not journaled. */
  private final Map<Integer, Long> lastSilenceCharge = new HashMap<>();

  /** The ban authority's persistence id on node {@code selfId}. */
  public static PersistenceId persistenceId(int selfId) {
    return PersistenceId.ofUniqueId(PersistenceIds.nodePrefix(selfId) + "reputation");
  }

  private BanRegistry(
      int selfId, TallySettings settings, BanView view, LongSupplier clockMillis, Logger log) {
    // Without it a journal outage would stop the ban authority for good; restarted, it recovers
    // its bans from the journal once the database is back.
    super(
        persistenceId(selfId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(3), 0.2));
    this.selfId = selfId;
    this.settings = settings;
    this.view = view;
    this.clockMillis = clockMillis;
    this.log = log;
  }

  public static Behavior<Command> create(int selfId, TallySettings settings, BanView view) {
    return create(selfId, settings, view, System::currentTimeMillis);
  }

  /** {@code clockMillis} times {@code tally.silent-penalty-interval} (the tallies' clock). */
  public static Behavior<Command> create(
      int selfId, TallySettings settings, BanView view, LongSupplier clockMillis) {
    return Behaviors.setup(
        ctx -> new BanRegistry(selfId, settings, view, clockMillis, ctx.getLog()));
  }

  @Override
  public ReputationState emptyState() {
    return ReputationState.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, ReputationEvent, ReputationState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Penalize.class, this::onPenalize)
        .onCommand(Ban.class, this::onBan)
        .onCommand(Unban.class, this::onUnban)
        .onCommand(GetReputation.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .build();
  }

  private ReplyEffect<ReputationEvent, ReputationState> onPenalize(ReputationState s, Penalize c) {
    if (c.nodeId() == selfId || s.bannedNode(c.nodeId())) {
      return Effect().noReply();
    }
    if (c.type() == ViolationType.SILENT_FAILURE && !chargeSilence(c.nodeId())) {
      log.debug(
          "SILENT_FAILURE of node {} in tx {} recorded without a reputation cost: charged within"
              + " the last {}",
          c.nodeId(),
          c.txId(),
          settings.silentPenaltyInterval());
      return Effect().noReply();
    }
    double penalty =
        c.type() == ViolationType.SILENT_FAILURE
            ? settings.silentPenalty()
            : settings.minorityPenalty();
    long score = Math.max(0L, s.scoreMillis(c.nodeId()) - Math.round(penalty * 1000));
    List<ReputationEvent> events = new ArrayList<>();
    events.add(new ReputationEvent.ScoreChanged(c.nodeId(), c.type(), c.txId(), score));
    long banBelow = Math.round(settings.banBelow() * 1000);
    if (score < banBelow) {
      events.add(
          new ReputationEvent.Banned(
              c.nodeId(),
              c.type(),
              c.txId(),
              "reputation " + score / 1000.0 + " below " + settings.banBelow()));
    }
    return persistAndPublish(events);
  }

  /** True when the member's silence may cost now; then the interval starts again. */
  private boolean chargeSilence(int nodeId) {
    long now = clockMillis.getAsLong();
    Long last = lastSilenceCharge.get(nodeId);
    if (last != null && now - last < settings.silentPenaltyInterval().toMillis()) {
      return false;
    }
    lastSilenceCharge.put(nodeId, now);
    return true;
  }

  private ReplyEffect<ReputationEvent, ReputationState> onBan(ReputationState s, Ban c) {
    if (c.nodeId() == selfId || s.bannedNode(c.nodeId())) {
      return Effect().noReply();
    }
    return persistAndPublish(
        List.of(new ReputationEvent.Banned(c.nodeId(), c.type(), c.txId(), c.reason())));
  }

  private ReplyEffect<ReputationEvent, ReputationState> onUnban(ReputationState s, Unban c) {
    if (!s.bannedNode(c.nodeId())) {
      return Effect().reply(c.replyTo(), new UnbanResult(c.nodeId(), false, s));
    }
    return Effect()
        .persist(new ReputationEvent.Unbanned(c.nodeId(), ReputationState.INITIAL_MILLIS))
        .thenRun(
            () -> {
              view.unban(c.nodeId());
              lastSilenceCharge.remove(c.nodeId());
            })
        .thenReply(c.replyTo(), after -> new UnbanResult(c.nodeId(), true, after));
  }

  private ReplyEffect<ReputationEvent, ReputationState> persistAndPublish(
      List<ReputationEvent> events) {
    return Effect()
        .persist(events)
        .thenRun(
            () -> {
              for (ReputationEvent e : events) {
                if (e instanceof ReputationEvent.Banned b) {
                  view.ban(b.nodeId());
                }
              }
            })
        .thenNoReply();
  }

  @Override
  public EventHandler<ReputationState, ReputationEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ReputationState::apply);
  }

  @Override
  public SignalHandler<ReputationState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), s -> view.replace(s.banned().keySet()))
        .build();
  }
}
