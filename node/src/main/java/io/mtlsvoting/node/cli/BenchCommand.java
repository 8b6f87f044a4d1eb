package io.mtlsvoting.node.cli;

import io.mtlsvoting.node.bench.BenchOptions;
import io.mtlsvoting.node.bench.BenchRecorder;
import io.mtlsvoting.node.bench.BenchReport;
import io.mtlsvoting.node.bench.ClusterBench;
import io.mtlsvoting.node.bench.InProcessCluster;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: starts N complete nodes in this JVM, drives K txs through them with {@link
 * ClusterBench} and prints throughput, latencies, the verification ceiling and the etcd baseline.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Load and latency figures: starts --nodes complete nodes in this process (free loopback",
      "ports, certificates from scripts/generate-certs.sh in a temp dir, embedded PostgreSQL or",
      "POSTGRES_URL, etcd from --etcd), runs --txs txs where every node votes the same value,",
      "prints the report and stops everything. Driving an external cluster is not supported yet."
    })
public final class BenchCommand implements Callable<Integer> {

  @Option(
      names = "--in-process",
      description = "Run the nodes in this process (the only mode so far)")
  boolean inProcess;

  @Option(names = "--nodes", defaultValue = "5", description = "n (default: ${DEFAULT-VALUE})")
  int nodes;

  @Option(
      names = "--threshold",
      description = "t (default: the smallest t with 2t-n-1 >= 1, or n/2+1 for small n)")
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
      description = "etcd endpoint: nodes commit through it and the seed-design baseline runs")
  String etcd;

  @Option(
      names = "--postgres-url",
      paramLabel = "JDBC_URL",
      description = "Shared PostgreSQL (default: POSTGRES_URL, else an embedded one)")
  String postgresUrl;

  @Option(names = "--no-ceiling", description = "Skip the Ed25519 verification ceiling")
  boolean noCeiling;

  @Option(names = "--no-baseline", description = "Skip the etcd seed-design baseline")
  boolean noBaseline;

  @Option(
      names = "--memory-check",
      description = "Print heap after GC at 10% and 100% (use with a large --txs)")
  boolean memoryCheck;

  @Option(names = "--json", description = "Print the report as JSON")
  boolean json;

  @Option(
      names = "--byzantine-fraction",
      paramLabel = "F",
      defaultValue = "0",
      description =
          "0..1: node --byzantine-node double-votes instead of voting in every round(1/F)-th tx"
              + " (default: ${DEFAULT-VALUE})")
  double byzantineFraction;

  @Option(
      names = "--byzantine-node",
      paramLabel = "ID",
      description = "The member that double-votes (default: the highest id)")
  Integer byzantineNode;

  @Override
  public Integer call() throws Exception {
    if (!inProcess) {
      System.err.println(
          "mtls-voting bench: only --in-process is supported so far (driving an external cluster"
              + " through the control protocol is not implemented)");
      return 2;
    }
    int t = threshold != null ? threshold : defaultThreshold(nodes);
    if (!(byzantineFraction >= 0 && byzantineFraction <= 1)) {
      System.err.println(
          "mtls-voting bench: --byzantine-fraction must be between 0 and 1, got "
              + byzantineFraction);
      return 2;
    }
    int byz = byzantineFraction == 0 ? 0 : byzantineNode != null ? byzantineNode : nodes;
    if (byz != 0 && (byz < 1 || byz > nodes || nodes - t < 1)) {
      System.err.println(
          "mtls-voting bench: the Byzantine node must be a member and n - t >= 1 (n="
              + nodes
              + ", t="
              + t
              + ", node "
              + byz
              + ")");
      return 2;
    }
    Optional<String> pg =
        Optional.ofNullable(postgresUrl)
            .or(() -> Optional.ofNullable(System.getenv("POSTGRES_URL")))
            .filter(s -> !s.isBlank());
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ids.add(i);
    }
    BenchRecorder recorder = new BenchRecorder(ids);
    System.err.printf("starting %d in-process nodes (t=%d)...%n", nodes, t);
    try (InProcessCluster cluster =
        InProcessCluster.start(
            nodes,
            t,
            Optional.ofNullable(etcd),
            pg,
            byz == 0 ? Set.of() : Set.of(byz),
            id -> List.of(recorder.listener(id)))) {
      BenchOptions options =
          new BenchOptions(
              txs,
              rate == null ? 0 : rate,
              concurrency,
              "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-",
              !noCeiling,
              Duration.ofSeconds(3),
              noBaseline ? Optional.empty() : Optional.ofNullable(etcd).map(URI::create),
              memoryCheck,
              Duration.ofSeconds(120),
              new PrintWriter(System.err, true),
              byzantineFraction,
              byz);
      BenchReport report = new ClusterBench(cluster, recorder, options).run();
      System.out.println(json ? report.toJson() : report.toText());
      return report.undecidedTxs() == 0 ? 0 : 1;
    }
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
