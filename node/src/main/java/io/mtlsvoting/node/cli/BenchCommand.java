package io.mtlsvoting.node.cli;

import io.mtlsvoting.node.bench.BenchOptions;
import io.mtlsvoting.node.bench.BenchRecorder;
import io.mtlsvoting.node.bench.BenchReport;
import io.mtlsvoting.node.bench.ClusterBench;
import io.mtlsvoting.node.bench.InProcessCluster;
import io.mtlsvoting.protocol.Quorum;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: drives K txs through a running cluster over the control protocol, or through N
 * complete nodes started in this JVM ({@code --in-process}), with {@link ClusterBench}, optionally
 * with one member double-voting in a fraction of the txs, and prints throughput, latencies, the
 * verification ceiling and the etcd baseline.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Load and latency figures. By default drives the running cluster given by",
      "--nodes, MTLS_NODES or --config (e.g. scripts/cluster.sh up) over the",
      "control protocol with the client certificate: in each of --txs txs every",
      "member votes the same value and the bench waits for each node's decision",
      "(and, with etcd in the cluster, for COMMITTED).",
      "With --in-process, starts --nodes N complete nodes in this process instead",
      "(free loopback ports, certificates from scripts/generate-certs.sh in a temp",
      "dir, embedded PostgreSQL or POSTGRES_URL, etcd from --etcd), then stops them.",
      "--byzantine-fraction F: one member double-votes instead of voting in every",
      "round(1/F)-th tx (remote: that node must run with byzantine-testing = on).",
      "Exit 0 when every tx was decided (with F > 0: and the double votes were",
      "detected)."
    })
public final class BenchCommand extends ClientCommand {

  @Option(
      names = "--in-process",
      description = "Start the nodes in this process instead of driving a running cluster")
  boolean inProcess;

  @Option(
      names = "--threshold",
      description =
          "--in-process: t (default: the smallest t with 2t-n-1 >= 1, or n/2+1 for small n)")
  Integer threshold;

  @Option(names = "--txs", defaultValue = "2000", description = "K txs (default: ${DEFAULT-VALUE})")
  int txs;

  @Option(names = "--rate", description = "Open loop: start R txs per second")
  Double rate;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description = "Closed loop: txs in flight (default: ${DEFAULT-VALUE})")
  int concurrency;

  @Option(
      names = "--etcd",
      paramLabel = "URL",
      description =
          "etcd endpoint for the seed-design baseline (scripts/cluster.sh: http://127.0.0.1:23790);"
              + " --in-process: the nodes also commit through it")
  String etcd;

  @Option(
      names = "--postgres-url",
      paramLabel = "JDBC_URL",
      description = "--in-process: shared PostgreSQL (default: POSTGRES_URL, else an embedded one)")
  String postgresUrl;

  @Option(names = "--no-ceiling", description = "Skip the Ed25519 verification ceiling")
  boolean noCeiling;

  @Option(
      names = "--no-floor",
      description =
          "Skip the database commit floor (in-process only: the latency of one commit, of which a"
              + " node's decision waits for two)")
  boolean noFloor;

  @Option(names = "--no-baseline", description = "Skip the etcd seed-design baseline")
  boolean noBaseline;

  @Option(
      names = "--memory-check",
      description =
          "--in-process: print heap after GC at every 10%% of the txs completed (use with a"
              + " large --txs; a flat series means tallies are passivated)")
  boolean memoryCheck;

  @Option(
      names = "--memory-settled",
      description =
          "With --memory-check: after each heap point, pause the load until every tx started has"
              + " completed and the tallies have passivated (tally.passivate-after), then take a"
              + " second point: what stays on the heap, whatever the rate. The throughput leaves"
              + " the pauses out")
  boolean memorySettled;

  @Option(
      names = "--warmup",
      paramLabel = "N",
      defaultValue = "0",
      description = {
        "Run N txs first that are not measured, so the",
        "figures are of a warm JVM (default: ${DEFAULT-VALUE}).",
        "In process the bench then waits (at most 2 min)",
        "until the JIT has stopped compiling; the report's",
        "JIT line says whether it compiled during the run"
      })
  int warmup;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = {
        "In-process: node config override for every node (repeatable), e.g. to see what a part",
        "costs: --set pekko.persistence.journal.plugin=pekko.persistence.journal.inmem"
      })
  Map<String, String> overrides = new LinkedHashMap<>();

  @Option(
      names = "--byzantine-fraction",
      paramLabel = "F",
      defaultValue = "0",
      description =
          "0..1: the Byzantine node double-votes instead of voting in every round(1/F)-th tx"
              + " (default: ${DEFAULT-VALUE})")
  double byzantineFraction;

  @Option(
      names = "--byzantine-node",
      paramLabel = "ID",
      description = "The member that double-votes (default: the highest id)")
  Integer byzantineNode;

  @Override
  int execute() {
    checkCommonOptions();
    try {
      return inProcess ? inProcess() : remote();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.failed("interrupted");
    }
  }

  private void checkCommonOptions() {
    if (txs < 1) {
      throw CliFailure.usage("--txs must be at least 1");
    }
    if (rate != null && !(rate > 0)) {
      throw CliFailure.usage("--rate must be above 0 txs per second");
    }
    if (rate == null && concurrency < 1) {
      throw CliFailure.usage("--concurrency must be at least 1");
    }
    if (warmup < 0) {
      throw CliFailure.usage("--warmup must be 0 or more txs, got " + warmup);
    }
    if (!(byzantineFraction >= 0 && byzantineFraction <= 1)) {
      throw CliFailure.usage(
          "--byzantine-fraction must be between 0 and 1 (0.1: the Byzantine node double-votes in"
              + " every 10th tx), got "
              + byzantineFraction);
    }
    if (memorySettled && !memoryCheck) {
      throw CliFailure.usage(
          "--memory-settled adds settled points to --memory-check's; give both (--in-process)");
    }
    if (byzantineNode != null && byzantineFraction == 0) {
      throw CliFailure.usage("--byzantine-node needs --byzantine-fraction above 0");
    }
    if (etcd != null) {
      try {
        URI u = URI.create(etcd);
        if (u.getHost() == null || u.getPort() < 0) {
          throw new IllegalArgumentException("no host:port");
        }
      } catch (IllegalArgumentException e) {
        throw CliFailure.usage("--etcd must be a URL like http://127.0.0.1:23790, got " + etcd);
      }
    }
  }

  private int inProcess() throws InterruptedException {
    int n = 5;
    if (spec.commandLine().getParseResult().hasMatchedOption("--nodes")) {
      try {
        n = Integer.parseInt(options.nodes.trim());
      } catch (NumberFormatException e) {
        throw CliFailure.usage(
            "--in-process takes --nodes N, the number of nodes to start (got "
                + options.nodes
                + ")");
      }
    }
    int t = threshold != null ? threshold : defaultThreshold(n);
    new Quorum(n, t);
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ids.add(i);
    }
    int byz = byzantineNode(ids);
    if (byz != 0) {
      checkLiveness(n, t);
    }
    Optional<String> pg =
        Optional.ofNullable(postgresUrl)
            .or(() -> Optional.ofNullable(System.getenv("POSTGRES_URL")))
            .filter(s -> !s.isBlank());
    BenchRecorder recorder = new BenchRecorder(ids);
    err().printf("starting %d in-process nodes (t=%d)...%n", n, t);
    err().flush();
    InProcessCluster cluster;
    try {
      cluster =
          InProcessCluster.start(
              n,
              t,
              Optional.ofNullable(etcd),
              pg,
              byz == 0 ? Set.of() : Set.of(byz),
              id -> List.of(recorder.listener(id)),
              overrides);
    } catch (IOException | IllegalStateException e) {
      throw CliFailure.failed("the in-process cluster could not start: " + e.getMessage());
    }
    err()
        .printf(
            "nodes' certificates and database in %s (removed at the end, also when interrupted)%n",
            cluster.dataDirectory());
    err().flush();
    // The cluster also cleans up if the JVM is stopped (Ctrl-C, kill) during the run.
    try (cluster) {
      ClusterBench bench = new ClusterBench(cluster, recorder, benchOptions(byz));
      bench.warmUp(warmup);
      return print(bench.run());
    }
  }

  private int remote() throws InterruptedException {
    for (String inProcessOnly :
        List.of("--threshold", "--postgres-url", "--memory-check", "--memory-settled", "--set")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(inProcessOnly)) {
        throw CliFailure.usage(
            inProcessOnly + " only applies with --in-process (a running cluster has its own)");
      }
    }
    if (options.nodes != null && options.nodes.trim().matches("[0-9]+")) {
      throw CliFailure.usage(
          "--nodes "
              + options.nodes.trim()
              + " is a count, which only --in-process takes; to drive a running cluster give"
              + " --nodes 1@HOST:PORT,2@HOST:PORT,... (or MTLS_NODES, or --config FILE)");
    }
    ClusterNodes cluster = options.cluster();
    List<Integer> ids = List.copyOf(cluster.members().keySet());
    int byz = byzantineNode(ids);
    BenchRecorder recorder = new BenchRecorder(ids);
    try (RemoteCluster remote = RemoteCluster.connect(cluster, options.tls(), recorder)) {
      if (byz != 0) {
        checkLiveness(ids.size(), remote.threshold());
        List<Integer> banned = remote.bannedAt(byz);
        if (!banned.isEmpty()) {
          err()
              .printf(
                  "warning: node %d is already banned at nodes %s: its double votes will be"
                      + " ignored, not detected; 'mtls-voting unban --node %d' lifts the ban%n",
                  byz, banned, byz);
        }
      }
      ClusterBench bench = new ClusterBench(remote, recorder, benchOptions(byz));
      bench.warmUp(warmup);
      BenchReport report = bench.run();
      int exit = print(report);
      if (report.byzantine() != null && report.byzantine().detections() > 0) {
        err()
            .printf(
                "node %d is now banned at the nodes that detected it (as designed); 'mtls-voting"
                    + " unban --node %d' lifts the ban%n",
                byz, byz);
      }
      return exit;
    }
  }

  /** The Byzantine node, 0 when none: {@code --byzantine-node} or the highest member id. */
  private int byzantineNode(List<Integer> members) {
    if (byzantineFraction == 0) {
      return 0;
    }
    int byz = byzantineNode != null ? byzantineNode : members.get(members.size() - 1);
    if (!members.contains(byz)) {
      throw CliFailure.usage(
          "--byzantine-node " + byz + " is not a member; the members are " + members);
    }
    return byz;
  }

  /** The honest nodes must still reach t without the Byzantine one. */
  private static void checkLiveness(int n, int t) {
    if (n - t < 1) {
      throw CliFailure.usage(
          "--byzantine-fraction needs n - t >= 1 so the honest nodes can decide without the"
              + " Byzantine one; n = "
              + n
              + ", t = "
              + t);
    }
  }

  private BenchOptions benchOptions(int byz) {
    return new BenchOptions(
        txs,
        rate == null ? 0 : rate,
        concurrency,
        "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-",
        !noCeiling,
        Duration.ofSeconds(3),
        !noFloor,
        noBaseline ? Optional.empty() : Optional.ofNullable(etcd).map(URI::create),
        memorySettled
            ? BenchOptions.MemoryCheck.SETTLED
            : memoryCheck ? BenchOptions.MemoryCheck.UNDER_LOAD : BenchOptions.MemoryCheck.OFF,
        Duration.ofSeconds(120),
        err(),
        byzantineFraction,
        byz);
  }

  private int print(BenchReport report) {
    out().println(options.json ? report.toJson() : report.toText());
    out().flush();
    boolean ok = report.undecidedTxs() == 0;
    if (report.byzantine() != null) {
      ok &= report.byzantine().attackErrors() == 0;
      ok &= report.byzantine().attacksSent() == 0 || report.byzantine().detections() > 0;
    }
    return ok ? 0 : CliFailure.FAILED;
  }

  /** The threshold of DESIGN's examples: 2t - n - 1 >= 1 where possible (n=5 -> 4, 3 -> 3). */
  static int defaultThreshold(int n) {
    int t = n / 2 + 1;
    while (2 * t - n - 1 < 1 && t < n) {
      t++;
    }
    return t;
  }
}
