package io.mtlsvoting.node.mesh;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.config.LoopbackPorts;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** Starts nodes of a test cluster, each in its own actor system, on free loopback ports. */
public final class TestNodes implements AutoCloseable {
  /** One message as seen by a recording ingress. */
  public record Received(int from, Message message) {}

  /** Ingress that records everything it is given. */
  public static final class Recording implements PeerIngress {
    public final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();

    @Override
    public void deliver(int authenticatedPeerId, Message message) {
      received.add(new Received(authenticatedPeerId, message));
    }

    public long count(Message m) {
      return received.stream().filter(r -> r.message().equals(m)).count();
    }
  }

  /** A running node. */
  public record Running(
      int id, ActorSystem<Node.Command> system, Recording ingress, NodeSettings settings) {
    public Peers peers() {
      return AskPattern.<Node.Command, Peers>ask(
              system, Node.GetPeers::new, Duration.ofSeconds(10), system.scheduler())
          .toCompletableFuture()
          .join();
    }

    public Broadcaster broadcaster() {
      return AskPattern.<Node.Command, Broadcaster>ask(
              system, Node.GetBroadcaster::new, Duration.ofSeconds(10), system.scheduler())
          .toCompletableFuture()
          .join();
    }
  }

  private final Path certs;
  private final int n;
  private final int t;
  private final Map<Integer, Integer> ports = new HashMap<>();
  private final Map<Integer, Running> running = new HashMap<>();

  public TestNodes(Path certs, int n, int t) {
    this.certs = certs;
    this.n = n;
    this.t = t;
    for (int id = 1; id <= n; id++) {
      ports.put(id, freePort());
    }
  }

  public static int freePort() {
    return LoopbackPorts.free();
  }

  public int port(int id) {
    return ports.get(id);
  }

  public Path certs() {
    return certs;
  }

  /** Config for node {@code id}; {@code overrides} are layered on top (keys under mtls-voting). */
  public Config config(int id, Map<String, Object> overrides) {
    Map<String, Object> m = new HashMap<>();
    m.put("mtls-voting.node-id", id);
    m.put("mtls-voting.listen-address", "127.0.0.1:" + port(id));
    List<Map<String, Object>> members = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      members.add(Map.of("id", i, "address", "127.0.0.1:" + port(i)));
    }
    m.put("mtls-voting.members", members);
    m.put("mtls-voting.total-nodes", n);
    m.put("mtls-voting.threshold", t);
    m.put("mtls-voting.cluster-id", "test-cluster");
    m.put("mtls-voting.tls.ca-cert", certs.resolve("ca.crt").toString());
    m.put("mtls-voting.tls.node-cert", certs.resolve("node" + id + ".crt").toString());
    m.put("mtls-voting.tls.node-key", certs.resolve("node" + id + ".key").toString());
    m.put("mtls-voting.outbound-queue-size", 256);
    m.put("mtls-voting.ping-interval", "300ms");
    m.put("mtls-voting.peer-silence-deadline", "3s");
    m.put("mtls-voting.handshake-timeout", "3s");
    m.put("mtls-voting.superseded-linger", "500ms");
    m.put("mtls-voting.backoff.min", "50ms");
    m.put("mtls-voting.backoff.max", "500ms");
    m.putAll(overrides);
    return ConfigFactory.parseMap(m).withFallback(ConfigFactory.load());
  }

  public Running start(int id) {
    return start(id, Map.of());
  }

  public Running start(int id, Map<String, Object> overrides) {
    Config config = config(id, overrides);
    NodeSettings settings = NodeSettings.load(config);
    Recording ingress = new Recording();
    ActorSystem<Node.Command> system =
        ActorSystem.create(Node.create(settings, ingress), "node-" + id, config);
    Running r = new Running(id, system, ingress, settings);
    running.put(id, r);
    return r;
  }

  public Running node(int id) {
    return running.get(id);
  }

  public void stop(int id) {
    Running r = running.remove(id);
    if (r != null) {
      r.system().terminate();
      r.system().getWhenTerminated().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  /** Polls {@code check} until it returns without throwing, or rethrows after {@code max}. */
  public static void await(Duration max, Runnable check) {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (AssertionError | RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  public static <T> T awaitValue(Duration max, Function<Void, T> f) {
    Object[] box = new Object[1];
    await(max, () -> box[0] = f.apply(null));
    @SuppressWarnings("unchecked")
    T t = (T) box[0];
    return t;
  }

  @Override
  public void close() {
    for (Integer id : new ArrayList<>(running.keySet())) {
      stop(id);
    }
  }
}
