package io.mtlsvoting.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.InfoReply;
import io.mtlsvoting.protocol.InfoRequest;
import io.mtlsvoting.protocol.SubmitVoteReply;
import io.mtlsvoting.protocol.SubmitVoteRequest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} against five running nodes (mTLS, PostgreSQL journal, etcd commits; node 5 with
 * byzantine-testing = on) through the control protocol: every tx decided and committed, a Byzantine
 * fraction detected, pipelined requests, and bad input.
 */
class RemoteBenchTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();

  @TempDir static Path certs;
  static CliCluster cli;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    cli =
        new CliCluster(
            certs,
            postgres.jdbcUrl(),
            5,
            4,
            Set.of(5),
            Map.of(
                "mtls-voting.etcd.endpoints",
                etcd.endpoint().toString(),
                "mtls-voting.etcd.prefix",
                "/remote-bench-" + System.nanoTime() + "/"));
  }

  @AfterAll
  static void stop() {
    if (cli != null) {
      cli.close();
    }
  }

  /** A Byzantine run bans node 5 at the honest nodes; each test starts without that ban. */
  @BeforeEach
  void liftBans() {
    CliCluster.Result r = cli.cli("unban", "--node", "5");
    assertEquals(0, r.exit(), r.toString());
  }

  @Test
  void everyTxIsDecidedAndCommittedByEveryNode() throws Exception {
    CliCluster.Result r =
        cli.cli("bench", "--txs", "12", "--concurrency", "4", "--no-ceiling", "--json");
    assertEquals(0, r.exit(), r.toString());
    JsonNode report = JSON.readTree(r.out());
    assertTrue(
        report.get("setup").get("cluster").asText().startsWith("remote 1@127.0.0.1:"), r.out());
    assertEquals(5, report.get("setup").get("nodes").asInt());
    assertEquals(4, report.get("setup").get("threshold").asInt());
    assertTrue(report.get("setup").get("etcd").asBoolean(), "etcd commits expected: " + r.out());
    assertEquals(12, report.get("decidedTxs").asLong(), r.out());
    assertEquals(12, report.get("committedTxs").asLong(), r.out());
    assertEquals(0, report.get("undecidedTxs").asLong(), r.out());
    assertEquals(0, report.get("abortedTxs").asLong(), r.out());
    assertEquals(0, report.get("castErrors").asLong(), r.out());
    JsonNode latency = report.get("latency");
    // Counted by the nodes: each node verified at least the 3 peer votes of its decision per tx.
    JsonNode propagation = latency.get("propagation");
    assertTrue(propagation.get("samples").asLong() >= 12 * 5 * 3, r.out());
    assertTrue(propagation.get("p50Ms").asDouble() >= 1, r.out());
    assertTrue(
        propagation.get("p50Ms").asDouble() <= propagation.get("p99Ms").asDouble()
            && propagation.get("p99Ms").asDouble() <= propagation.get("maxMs").asDouble(),
        r.out());
    assertEquals(60, latency.get("decision").get("samples").asLong(), r.out());
    assertEquals(12, latency.get("decisionAll").get("samples").asLong(), r.out());
    assertEquals(60, latency.get("commit").get("samples").asLong(), r.out());
    assertTrue(report.get("byzantine").isNull(), r.out());
    assertTrue(
        report.get("notes").toString().contains("vote propagation: counted by the nodes"), r.out());
    // The nodes' JIT is in their own processes: not reported as the bench JVM's.
    assertEquals(-1, report.get("machine").get("jitSeconds").asDouble(), r.out());
    // The nodes' processes share this machine: their CPU shows as the machine's, not this JVM's.
    JsonNode cpu = report.get("machine").get("cpu");
    assertTrue(cpu.get("machineBusyCores").asDouble() > cpu.get("jvmCores").asDouble(), r.out());
    // ... and the nodes say what their own JVMs spent during the load.
    JsonNode nodes = report.get("machine").get("nodes");
    assertEquals(5, nodes.get("jvms").asInt(), r.out());
    assertTrue(nodes.get("cpuSeconds").asDouble() > 0, r.out());
    assertTrue(nodes.get("jitSeconds").asDouble() >= 0, r.out());
  }

  @Test
  void textReportGivesTheNodesCountOfPropagationTheirJvmsAndRunsTheEtcdBaseline() {
    CliCluster.Result r =
        cli.cli(
            "bench",
            "--txs",
            "5",
            "--concurrency",
            "2",
            "--no-ceiling",
            "--etcd",
            etcd.endpoint().toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("decided 5, committed 5, aborted 0, undecided 0"), r.toString());
    assertTrue(r.out().matches("(?s).*vote propagation +\\d+ .*"), r.toString());
    assertTrue(r.out().contains("vote propagation: counted by the nodes"), r.toString());
    assertTrue(r.out().contains("nodes: their 5 JVMs "), r.toString());
    assertTrue(r.out().contains("baseline (seed design, votes counted in etcd)"), r.toString());
  }

  @Test
  void aByzantineFractionIsDetectedAndTheHonestNodesDecideEveryTx() throws Exception {
    CliCluster.Result r =
        cli.cli(
            "bench",
            "--txs",
            "8",
            "--concurrency",
            "2",
            "--byzantine-fraction",
            "0.25",
            "--no-ceiling",
            "--json");
    assertEquals(0, r.exit(), r.toString());
    JsonNode report = JSON.readTree(r.out());
    assertEquals(8, report.get("decidedTxs").asLong(), r.out());
    assertEquals(0, report.get("undecidedTxs").asLong(), r.out());
    JsonNode byz = report.get("byzantine");
    assertEquals(0.25, byz.get("fraction").asDouble(), r.out());
    assertEquals(5, byz.get("node").asInt(), r.out());
    assertEquals(2, byz.get("attackedTxs").asLong(), r.out());
    assertEquals(2, byz.get("attacksSent").asLong(), r.out());
    assertEquals(0, byz.get("attackErrors").asLong(), r.out());
    assertTrue(byz.get("detections").asLong() > 0, r.out());
    // Decisions are counted at the four honest nodes.
    assertEquals(32, report.get("latency").get("decision").get("samples").asLong(), r.out());
    assertTrue(r.err().contains("unban --node 5"), r.toString());
  }

  @Test
  void aNodeWithoutByzantineTestingRefusesAndTheLoadStops() {
    CliCluster.Result r =
        cli.cli(
            "bench",
            "--txs",
            "40",
            "--concurrency",
            "1",
            "--byzantine-fraction",
            "0.5",
            "--byzantine-node",
            "4",
            "--no-ceiling");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().contains("byzantine-testing = off"), r.toString());
    assertTrue(r.err().contains("stopping the load"), r.toString());
    assertTrue(r.out().contains("stopped early"), r.toString());
  }

  /** A vote waiting for its decision does not hold up a request sent after it. */
  @Test
  void requestsOnOneConnectionAreAnsweredAsTheyComplete() throws Exception {
    ClientTls tls =
        ClientTls.load(
            certs.resolve("client.crt"), certs.resolve("client.key"), certs.resolve("ca.crt"));
    Map<Integer, java.net.InetSocketAddress> members = ClusterNodes.parse(cli.nodes);
    NodeAddress node1 = new NodeAddress(OptionalInt.of(1), members.get(1));
    ExecutorService callbacks = Executors.newSingleThreadExecutor();
    String tx = "pipelined-" + System.nanoTime();
    try (ControlPipeline pipe =
        ControlPipeline.start(ControlClient.connect(node1, tls), callbacks)) {
      AtomicInteger order = new AtomicInteger();
      CompletableFuture<Integer> voteAnswered =
          pipe.send(new SubmitVoteRequest(101, tx, 42, true, 0), Duration.ofMinutes(2))
              .thenApply(reply -> order.incrementAndGet());
      CompletableFuture<ClientReply> info = pipe.send(new InfoRequest(102), Duration.ofMinutes(2));
      InfoReply i = (InfoReply) info.join();
      int infoAt = order.incrementAndGet();
      assertEquals(1, i.nodeId());
      // No other node has voted yet, so the vote cannot have been answered before the info.
      List<CliCluster.Result> others = new ArrayList<>();
      for (String id : List.of("2", "3", "4")) {
        others.add(cli.cli("vote", "--tx-id", tx, "--value", "42", "--node", id));
      }
      others.forEach(r -> assertEquals(0, r.exit(), r.toString()));
      int voteAt = voteAnswered.join();
      assertEquals(1, infoAt);
      assertEquals(2, voteAt);
      SubmitVoteReply vote =
          (SubmitVoteReply)
              pipe.send(new SubmitVoteRequest(103, tx, 42, true, 0), Duration.ofMinutes(2)).join();
      assertTrue(vote.state().equals("THRESHOLD_REACHED") || vote.state().equals("COMMITTED"));
    } finally {
      callbacks.shutdownNow();
    }
  }

  @Test
  void aFractionOutsideZeroToOneIsRefusedBeforeConnecting() {
    for (String f : List.of("1.5", "-0.1", "NaN")) {
      CliCluster.Result r = cli.cli("bench", "--txs", "5", "--byzantine-fraction", f);
      assertEquals(2, r.exit(), r.toString());
      assertTrue(r.err().contains("--byzantine-fraction must be between 0 and 1"), r.toString());
    }
    CliCluster.Result notNumber = cli.cli("bench", "--byzantine-fraction", "a-third");
    assertEquals(2, notNumber.exit(), notNumber.toString());
    CliCluster.Result inProcess =
        CliCluster.raw("bench", "--in-process", "--byzantine-fraction", "2");
    assertEquals(2, inProcess.exit(), inProcess.toString());
    assertTrue(inProcess.err().contains("between 0 and 1"), inProcess.toString());
  }

  @Test
  void aNegativeWarmupIsRefused() {
    CliCluster.Result r = CliCluster.raw("bench", "--in-process", "--warmup", "-1");
    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().contains("--warmup must be 0 or more"), r.toString());
  }

  @Test
  void otherBadInputIsRefusedWithExitCode2() {
    CliCluster.Result notMember =
        cli.cli("bench", "--byzantine-fraction", "0.5", "--byzantine-node", "9");
    assertEquals(2, notMember.exit(), notMember.toString());
    assertTrue(
        notMember.err().contains("--byzantine-node 9 is not a member"), notMember.toString());

    CliCluster.Result nodeWithoutFraction = cli.cli("bench", "--byzantine-node", "5");
    assertEquals(2, nodeWithoutFraction.exit(), nodeWithoutFraction.toString());

    CliCluster.Result noLiveness =
        CliCluster.raw("bench", "--in-process", "--nodes", "3", "--byzantine-fraction", "0.5");
    assertEquals(2, noLiveness.exit(), noLiveness.toString());
    assertTrue(noLiveness.err().contains("n - t >= 1"), noLiveness.toString());

    CliCluster.Result count = CliCluster.raw("bench", "--nodes", "5", "--txs", "3");
    assertEquals(2, count.exit(), count.toString());
    assertTrue(count.err().contains("only --in-process takes"), count.toString());

    CliCluster.Result settledAlone = CliCluster.raw("bench", "--in-process", "--memory-settled");
    assertEquals(2, settledAlone.exit(), settledAlone.toString());
    assertTrue(
        settledAlone.err().contains("--memory-settled adds settled points to --memory-check's"),
        settledAlone.toString());

    CliCluster.Result threshold = cli.cli("bench", "--threshold", "3");
    assertEquals(2, threshold.exit(), threshold.toString());
    assertTrue(threshold.err().contains("only applies with --in-process"), threshold.toString());
  }

  @Test
  void noReachableNodeIsAFailureThatSaysWhatToDo() throws IOException {
    String nowhere = "1@127.0.0.1:" + freePort() + ",2@127.0.0.1:" + freePort();
    CliCluster.Result r =
        CliCluster.raw(
            "bench",
            "--txs",
            "3",
            "--nodes",
            nowhere,
            "--cert",
            certs.resolve("client.crt").toString(),
            "--key",
            certs.resolve("client.key").toString(),
            "--ca",
            certs.resolve("ca.crt").toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("no node of the cluster could be reached"), r.toString());
    assertTrue(r.err().contains("scripts/cluster.sh up"), r.toString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
