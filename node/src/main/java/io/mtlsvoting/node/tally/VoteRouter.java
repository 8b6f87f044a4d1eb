package io.mtlsvoting.node.tally;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Routes commands to one {@link VoteTally} child per tx, spawned on first use (recovering from the
 * journal if the tx was seen before) and stopped once it is idle. Its own state is only the live
 * children and, briefly, messages for a child that is stopping.
 */
public final class VoteRouter extends AbstractBehavior<VoteRouter.Command> {

  /** Messages of the router. */
  public sealed interface Command {}

  /** Delivers {@code command} to the tally of {@code txId}, spawning it if needed. */
  public record Route(String txId, VoteTally.Command command) implements Command {}

  /** Sent by a quiescent tally whose idle period passed. */
  public record TallyIdle(String txId, ActorRef<VoteTally.Command> tally) implements Command {}

  /** Number of live tallies (for tests and monitor). */
  public record GetLiveCount(ActorRef<Integer> replyTo) implements Command {}

  private record NodeBanned(int nodeId) implements Command {}

  private record ChildStopped(String txId, ActorRef<VoteTally.Command> tally) implements Command {}

  private final TallyDeps deps;
  private final Map<String, ActorRef<VoteTally.Command>> live = new HashMap<>();
  private final Map<String, List<VoteTally.Command>> stopping = new HashMap<>();
  private final IntConsumer banListener;

  private VoteRouter(ActorContext<Command> ctx, TallyDeps deps) {
    super(ctx);
    this.deps = deps;
    ActorRef<Command> self = ctx.getSelf();
    this.banListener = id -> self.tell(new NodeBanned(id));
    deps.bans().addListener(banListener);
  }

  public static Behavior<Command> create(TallyDeps deps) {
    return Behaviors.setup(ctx -> new VoteRouter(ctx, deps));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Route.class, this::onRoute)
        .onMessage(TallyIdle.class, this::onIdle)
        .onMessage(ChildStopped.class, this::onChildStopped)
        .onMessage(NodeBanned.class, this::onBanned)
        .onMessage(GetLiveCount.class, this::onGetLiveCount)
        .onSignal(PostStop.class, s -> onPostStop())
        .build();
  }

  private Behavior<Command> onRoute(Route r) {
    List<VoteTally.Command> buffer = stopping.get(r.txId());
    if (buffer != null) {
      buffer.add(r.command());
    } else {
      tally(r.txId()).tell(r.command());
    }
    return this;
  }

  private Behavior<Command> onIdle(TallyIdle m) {
    if (m.tally().equals(live.get(m.txId()))) {
      // Everything routed before this Stop is processed first, so nothing is lost.
      live.remove(m.txId());
      stopping.put(m.txId(), new ArrayList<>());
      m.tally().tell(new VoteTally.Stop());
    }
    return this;
  }

  private Behavior<Command> onChildStopped(ChildStopped m) {
    if (m.tally().equals(live.get(m.txId()))) {
      live.remove(m.txId()); // stopped on its own (e.g. journal failure)
    }
    List<VoteTally.Command> buffered = stopping.remove(m.txId());
    if (buffered != null && !buffered.isEmpty()) {
      ActorRef<VoteTally.Command> fresh = tally(m.txId());
      buffered.forEach(fresh::tell);
    }
    return this;
  }

  private Behavior<Command> onBanned(NodeBanned m) {
    live.values().forEach(t -> t.tell(new VoteTally.ExcludeBanned(m.nodeId())));
    return this;
  }

  private Behavior<Command> onGetLiveCount(GetLiveCount m) {
    m.replyTo().tell(live.size());
    return this;
  }

  private Behavior<Command> onPostStop() {
    deps.bans().removeListener(banListener);
    return this;
  }

  private ActorRef<VoteTally.Command> tally(String txId) {
    ActorRef<VoteTally.Command> ref = live.get(txId);
    if (ref == null) {
      ref =
          getContext()
              .spawn(
                  VoteTally.create(txId, deps, getContext().getSelf()),
                  "tx-" + URLEncoder.encode(txId, StandardCharsets.UTF_8));
      getContext().watchWith(ref, new ChildStopped(txId, ref));
      live.put(txId, ref);
    }
    return ref;
  }
}
