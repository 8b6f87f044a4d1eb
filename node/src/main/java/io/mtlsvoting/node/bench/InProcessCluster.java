package io.mtlsvoting.node.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.config.LoopbackClusterConfig;
import io.mtlsvoting.node.config.LoopbackPorts;
import io.mtlsvoting.node.mesh.Node;
import io.mtlsvoting.node.mesh.Peers;
import io.mtlsvoting.node.runtime.NodeConfig;
import io.mtlsvoting.node.runtime.NodeContext;
import io.mtlsvoting.node.runtime.NodeRuntime;
import io.mtlsvoting.node.tally.ByzantineActions;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * N complete nodes ({@link NodeRuntime}) in this JVM on free loopback ports, with certificates made
 * by {@code scripts/generate-certs.sh} in a temporary directory and one shared PostgreSQL (an
 * embedded one unless a URL is given); the bench command's cluster. The nodes named Byzantine run
 * with byzantine-testing = on. {@link #close} stops it all.
 */
public final class InProcessCluster implements AutoCloseable, BenchDriver {
  private final Path dir;
  private final Thread cleanup = new Thread(this::close, "bench-cleanup");
  private boolean closed;
  private final int n;
  private final int t;
  private final Optional<String> etcd;
  private final Set<Integer> byzantine;
  private final Map<Integer, Integer> ports = new TreeMap<>();
  private final Map<Integer, NodeRuntime> nodes = new TreeMap<>();
  private final String dbUrl;
  private final Map<String, String> overrides;
  private final Optional<EmbeddedPostgresServer> embedded;
  private final String etcdPrefix = "/mtls-voting-bench/" + System.nanoTime() + "/";

  private InProcessCluster(
      Path dir,
      int n,
      int t,
      Optional<String> etcd,
      Optional<String> postgresUrl,
      Set<Integer> byzantine,
      Map<String, String> overrides) {
    this.dir = dir;
    this.overrides = Map.copyOf(overrides);
    this.n = n;
    this.t = t;
    this.etcd = etcd;
    this.byzantine = Set.copyOf(byzantine);
    if (postgresUrl.isPresent()) {
      this.dbUrl = postgresUrl.get();
      this.embedded = Optional.empty();
    } else {
      EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir.resolve("postgres"), 0);
      this.embedded = Optional.of(pg);
      this.dbUrl = pg.jdbcUrl();
    }
    for (int id = 1; id <= n; id++) {
      ports.put(id, LoopbackPorts.free());
    }
  }

  /**
   * Generates certificates, starts PostgreSQL when no URL is given, starts {@code n} nodes (node i
   * with {@code listeners.apply(i)}, byzantine-testing on for the ids in {@code byzantine}) and
   * waits until the mesh is complete.
   */
  public static InProcessCluster start(
      int n,
      int t,
      Optional<String> etcd,
      Optional<String> postgresUrl,
      Set<Integer> byzantine,
      IntFunction<List<TallyListener>> listeners)
      throws IOException, InterruptedException {
    return start(n, t, etcd, postgresUrl, byzantine, listeners, Map.of());
  }

  /**
   * As {@link #start(int, int, Optional, Optional, Set, IntFunction)}, with {@code overrides}
   * (config path -> value) applied to every node's configuration last.
   */
  public static InProcessCluster start(
      int n,
      int t,
      Optional<String> etcd,
      Optional<String> postgresUrl,
      Set<Integer> byzantine,
      IntFunction<List<TallyListener>> listeners,
      Map<String, String> overrides)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mtls-voting-bench-");
    try {
      generateCerts(dir.resolve("certs"), n);
    } catch (IOException | RuntimeException | InterruptedException e) {
      deleteTree(dir);
      throw e;
    }
    InProcessCluster c = new InProcessCluster(dir, n, t, etcd, postgresUrl, byzantine, overrides);
    // Ctrl-C or a kill, also while the nodes start: stop them and the database, remove the data.
    Runtime.getRuntime().addShutdownHook(c.cleanup);
    try {
      for (int id = 1; id <= n; id++) {
        c.nodes.put(id, NodeRuntime.start(c.config(id), listeners.apply(id)));
      }
      c.awaitMesh(Duration.ofSeconds(60));
      return c;
    } catch (RuntimeException | InterruptedException e) {
      c.close();
      throw e;
    }
  }

  @Override
  public String describe() {
    return "in-process";
  }

  @Override
  public List<Integer> members() {
    return List.copyOf(nodes.keySet());
  }

  @Override
  public int threshold() {
    return t;
  }

  @Override
  public boolean commits() {
    return etcd.isPresent();
  }

  @Override
  public CompletionStage<?> cast(int nodeId, String txId, long value) {
    return nodes.get(nodeId).context().caster().castVote(txId, value);
  }

  @Override
  public CompletionStage<?> doubleVote(int nodeId, String txId, long value) {
    Optional<ByzantineActions> byz = nodes.get(nodeId).context().byzantine();
    if (byz.isEmpty()) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("node " + nodeId + " runs with byzantine-testing = off"));
    }
    return CompletableFuture.completedFuture(byz.get().doubleVote(txId, value, value + 1));
  }

  @Override
  public boolean nodesInThisJvm() {
    return true;
  }

  @Override
  public OptionalLong liveTallies() {
    long sum = 0;
    for (NodeRuntime r : nodes.values()) {
      NodeContext c = r.context();
      sum +=
          Ask.<VoteRouter.Command, Integer>ask(
                  c.router(),
                  VoteRouter.GetLiveCount::new,
                  Duration.ofSeconds(10),
                  c.system().scheduler())
              .toCompletableFuture()
              .join();
    }
    return OptionalLong.of(sum);
  }

  /** Measured with the nodes' own database settings, on a connection of their pool's kind. */
  @Override
  public Optional<CommitFloor.Result> commitFloor(int commits) throws SQLException {
    try (DataSourceRegistry.Lease lease =
        DataSourceRegistry.acquire(DbSettings.fromConfig(config(1)))) {
      return Optional.of(CommitFloor.measure(lease.dataSource(), commits));
    }
  }

  public NodeRuntime node(int id) {
    return nodes.get(id);
  }

  private Config config(int id) {
    Map<String, Object> m =
        LoopbackClusterConfig.node(id, t, ports, dir.resolve("certs"), dbUrl, byzantine);
    // Set again here: in the shaded jar, Pekko's own reference.conf is appended after the node's
    // and would reset these to Pekko's defaults.
    m.put("pekko.persistence.journal.plugin", "mtls-voting.persistence.journal");
    m.put("pekko.persistence.snapshot-store.plugin", "mtls-voting.persistence.snapshot");
    m.put("pekko.loggers", List.of("org.apache.pekko.event.slf4j.Slf4jLogger"));
    m.put("pekko.logging-filter", "org.apache.pekko.event.slf4j.Slf4jLoggingFilter");
    // The n nodes share this machine's cores: size each node's pools to its share instead of
    // giving every node pools for the whole machine (n times the runnable threads measured ~20%
    // fewer transactions per CPU second, 5 nodes on 2 cores).
    int share = Math.max(1, Runtime.getRuntime().availableProcessors() / n);
    m.put("pekko.actor.default-dispatcher.fork-join-executor.parallelism-max", Math.max(2, share));
    m.put("pekko.actor.internal-dispatcher.fork-join-executor.parallelism-max", share);
    m.put("mtls-voting.tally.verify-parallelism", share);
    etcd.ifPresent(
        e -> {
          m.put("mtls-voting.etcd.endpoints", e);
          m.put("mtls-voting.etcd.prefix", etcdPrefix);
        });
    m.putAll(overrides);
    return NodeConfig.withEnvironment(ConfigFactory.parseMap(m), Map.of());
  }

  private void awaitMesh(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      StringBuilder state = new StringBuilder();
      for (Map.Entry<Integer, NodeRuntime> e : nodes.entrySet()) {
        NodeContext c = e.getValue().context();
        Peers p =
            Ask.<Node.Command, Peers>ask(
                    c.mesh(), Node.GetPeers::new, Duration.ofSeconds(10), c.system().scheduler())
                .toCompletableFuture()
                .join();
        state.append(" node ").append(e.getKey()).append(": ").append(p.connectedCount());
        if (p.connectedCount() < n - 1) {
          all = false;
        }
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the mesh did not form within " + timeout + ":" + state);
      }
      Thread.sleep(50);
    }
  }

  /** Runs {@code scripts/generate-certs.sh --out dir --nodes n} (found from the working dir). */
  static void generateCerts(Path out, int n) throws IOException, InterruptedException {
    Path script = findScript();
    Process p =
        new ProcessBuilder(
                "bash", script.toString(), "--out", out.toString(), "--nodes", Integer.toString(n))
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("generate-certs.sh failed:\n" + text);
    }
  }

  private static Path findScript() {
    List<Path> starts = new ArrayList<>();
    Optional.ofNullable(System.getenv("MTLS_VOTING_HOME")).map(Path::of).ifPresent(starts::add);
    Optional.ofNullable(System.getProperty("project.rootdir")).map(Path::of).ifPresent(starts::add);
    starts.add(Path.of("").toAbsolutePath());
    try {
      starts.add(
          Path.of(
                  InProcessCluster.class
                      .getProtectionDomain()
                      .getCodeSource()
                      .getLocation()
                      .toURI())
              .toAbsolutePath());
    } catch (Exception e) {
      // no code source: the other starting points remain
    }
    for (Path start : starts) {
      for (Path p = start; p != null; p = p.getParent()) {
        Path script = p.resolve("scripts/generate-certs.sh");
        if (Files.isRegularFile(script)) {
          return script;
        }
      }
    }
    throw new IllegalStateException(
        "cannot find scripts/generate-certs.sh: run from the repository or set MTLS_VOTING_HOME");
  }

  /** The temporary directory of the nodes' certificates and embedded database, removed by close. */
  public Path dataDirectory() {
    return dir;
  }

  /**
   * Stops the nodes and the embedded database and removes the data directory; idempotent. Also runs
   * at JVM shutdown if the cluster was not closed before.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // called by the hook itself, or the JVM is exiting and will run it
    }
    for (NodeRuntime r : List.copyOf(nodes.values())) {
      try {
        r.close();
      } catch (RuntimeException e) {
        // keep stopping the others
      }
    }
    nodes.clear();
    embedded.ifPresent(EmbeddedPostgresServer::close);
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind is harmless
    }
  }
}
