package io.mtlsvoting.node.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.config.LoopbackClusterConfig;
import io.mtlsvoting.node.config.LoopbackPorts;
import io.mtlsvoting.node.mesh.Node;
import io.mtlsvoting.node.mesh.Peers;
import io.mtlsvoting.node.mesh.TestCerts;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Several complete nodes ({@link NodeRuntime}: mesh, tallies, JDBC journal) in one JVM on free
 * loopback ports, sharing one real PostgreSQL database, with certificates made by the project's own
 * {@code scripts/generate-certs.sh}.
 */
public final class TestCluster implements AutoCloseable {
  private final Path certs;
  private final String dbUrl;
  private final int n;
  private final int t;
  private final Map<Integer, Integer> ports = new TreeMap<>();
  private final Map<Integer, NodeRuntime> running = new TreeMap<>();
  private final Map<String, Object> extra = new HashMap<>();
  private final Set<Integer> byzantine;

  public TestCluster(Path certs, String dbUrl, int n, int t, Set<Integer> byzantine) {
    this.certs = certs;
    this.dbUrl = dbUrl;
    this.n = n;
    this.t = t;
    this.byzantine = Set.copyOf(byzantine);
    for (int id = 1; id <= n; id++) {
      ports.put(id, LoopbackPorts.free());
    }
  }

  /** Sets an extra config value for every node started afterwards. */
  public TestCluster with(String path, Object value) {
    extra.put(path, value);
    return this;
  }

  /** Runs {@code scripts/generate-certs.sh --out dir --nodes n}. */
  public static void generateCerts(Path dir, int n) {
    TestCerts.run(dir, "--nodes", Integer.toString(n));
  }

  public static Path repoRoot() {
    return TestCerts.repoRoot();
  }

  /** The configuration node {@code id} is started with. */
  public Config config(int id) {
    Map<String, Object> m = LoopbackClusterConfig.node(id, t, ports, certs, dbUrl, byzantine);
    m.putAll(extra);
    return NodeConfig.withEnvironment(ConfigFactory.parseMap(m));
  }

  public NodeRuntime start(int id) {
    return start(id, List.of());
  }

  public NodeRuntime start(int id, List<TallyListener> listeners) {
    NodeRuntime r = NodeRuntime.start(config(id), listeners);
    running.put(id, r);
    return r;
  }

  /** Starts every node, node {@code i} with the listeners {@code listeners.apply(i)}. */
  public TestCluster startAll(IntFunction<List<TallyListener>> listeners) {
    for (int id = 1; id <= n; id++) {
      start(id, listeners.apply(id));
    }
    return this;
  }

  public TestCluster startAll() {
    return startAll(id -> List.of());
  }

  public NodeRuntime node(int id) {
    NodeRuntime r = running.get(id);
    if (r == null) {
      throw new IllegalStateException("node " + id + " is not running");
    }
    return r;
  }

  public void stop(int id) {
    NodeRuntime r = running.remove(id);
    if (r != null) {
      r.close();
    }
  }

  public static Peers peers(NodeRuntime r) {
    NodeContext c = r.context();
    return AskPattern.<Node.Command, Peers>ask(
            c.mesh(), Node.GetPeers::new, Duration.ofSeconds(10), c.system().scheduler())
        .toCompletableFuture()
        .join();
  }

  /** The consensus record of {@code tx} in the etcd node {@code id} is configured with. */
  public Optional<String> consensus(int id, String tx) throws Exception {
    try (EtcdCoordinator c =
        EtcdCoordinator.connect(
            EtcdSettings.fromConfig(config(id).getConfig("mtls-voting.etcd"), "mtls-voting")
                .orElseThrow())) {
      return c.getConsensus(tx).get();
    }
  }

  /** Waits (generously, polling) until every running node has all other running nodes connected. */
  public void awaitMesh() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (true) {
      boolean all = true;
      for (NodeRuntime r : running.values()) {
        if (peers(r).connectedCount() < running.size() - 1) {
          all = false;
        }
      }
      if (all) {
        return;
      }
      if (Instant.now().isAfter(deadline)) {
        StringBuilder sb = new StringBuilder("mesh did not form:");
        running.forEach((id, r) -> sb.append("\n node ").append(id).append(": ").append(peers(r)));
        throw new AssertionError(sb.toString());
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    for (Integer id : List.copyOf(running.keySet())) {
      stop(id);
    }
  }
}
