package io.mtlsvoting.node.mesh;

import io.mtlsvoting.node.config.NodeSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Guardian of one node's mesh: starts the {@link Listener} and one {@link PeerConnection} per other
 * member, and answers for the {@link Broadcaster} and the peers view. Stops (taking the node down)
 * if the listener cannot bind.
 */
public final class Node extends AbstractBehavior<Node.Command> {

  /** Messages of the node guardian. */
  public sealed interface Command {}

  /** Asks for the peers view. */
  public record GetPeers(ActorRef<Peers> replyTo) implements Command {}

  /** Asks for the node's broadcaster (the same thread-safe instance every time). */
  public record GetBroadcaster(ActorRef<Broadcaster> replyTo) implements Command {}

  private final NodeSettings settings;
  private final Map<Integer, PeerMetrics> metrics;
  private final ListenerCounters listenerCounters = new ListenerCounters();
  private final Broadcaster broadcaster;

  /** A node with TLS material read from the settings and client connections refused. */
  public static Behavior<Command> create(NodeSettings settings, PeerIngress ingress) {
    Objects.requireNonNull(settings, "settings");
    return create(
        settings, TlsContexts.create(settings.tls()), ingress, ClientConnectionHandler.refuseAll());
  }

  /** A node with explicit TLS material and client connection handler. */
  public static Behavior<Command> create(
      NodeSettings settings,
      TlsContexts tls,
      PeerIngress ingress,
      ClientConnectionHandler clients) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(ingress, "ingress");
    Objects.requireNonNull(clients, "clients");
    return Behaviors.setup(ctx -> new Node(ctx, settings, tls, ingress, clients));
  }

  private Node(
      ActorContext<Command> ctx,
      NodeSettings settings,
      TlsContexts tls,
      PeerIngress ingress,
      ClientConnectionHandler clients) {
    super(ctx);
    this.settings = settings;
    Link.Params params =
        new Link.Params(
            settings.nodeId(),
            settings.clusterId(),
            settings.configHash(),
            settings.outboundQueueSize(),
            settings.handshakeTimeout(),
            settings.peerSilenceDeadline());
    ConcurrentMap<Integer, Link> activeLinks = new ConcurrentHashMap<>();
    Map<Integer, PeerMetrics> peerMetrics = new TreeMap<>();
    Map<Integer, Listener.Peer> peers = new TreeMap<>();
    for (int peerId : settings.peerIds()) {
      PeerMetrics m = new PeerMetrics(peerId);
      peerMetrics.put(peerId, m);
      ActorRef<PeerConnection.Command> ref =
          ctx.spawn(
              PeerConnection.create(settings, peerId, tls, ingress, m, activeLinks, params),
              "peer-" + peerId);
      peers.put(peerId, new Listener.Peer(ref, m));
    }
    this.metrics = Map.copyOf(peerMetrics);
    this.broadcaster = new MeshBroadcaster(settings.maxFrameBytes(), metrics, activeLinks);
    ActorRef<Listener.Command> listener =
        ctx.spawn(
            Listener.create(
                settings, tls, ingress, clients, Map.copyOf(peers), listenerCounters, params),
            "listener");
    ctx.watch(listener);
    ctx.getLog()
        .info(
            "node {} of cluster '{}' starting: peers {}, n={}, t={}",
            settings.nodeId(),
            settings.clusterId(),
            settings.peerIds(),
            settings.quorum().n(),
            settings.quorum().t());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(GetPeers.class, this::onGetPeers)
        .onMessage(GetBroadcaster.class, this::onGetBroadcaster)
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  private Behavior<Command> onGetPeers(GetPeers msg) {
    List<PeerStatus> statuses = new ArrayList<>();
    new TreeMap<>(metrics).values().forEach(m -> statuses.add(m.snapshot()));
    msg.replyTo().tell(new Peers(settings.nodeId(), statuses, listenerCounters.snapshot()));
    return this;
  }

  private Behavior<Command> onGetBroadcaster(GetBroadcaster msg) {
    msg.replyTo().tell(broadcaster);
    return this;
  }

  private Behavior<Command> onTerminated(Terminated signal) {
    getContext().getLog().error("listener stopped; stopping node {}", settings.nodeId());
    return Behaviors.stopped();
  }
}
