package io.mtlsvoting.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.Pem;
import io.mtlsvoting.protocol.QuorumCertificate.VerificationResult;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.StatusRequest;
import io.mtlsvoting.protocol.Vote;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in-process against five real nodes (mTLS 1.3, PostgreSQL journal): vote with --wait,
 * status, info, peers, monitor, unban, verify-certificate, and bad input of every kind.
 */
class CliCommandsTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path certs;
  static CliCluster cli;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    cli = new CliCluster(certs, postgres.jdbcUrl(), 5, 4, Set.of(), Map.of());
  }

  @AfterAll
  static void stop() {
    if (cli != null) {
      cli.close();
    }
  }

  /** Four nodes vote 42 concurrently, each waiting for its decision. */
  private static void voteOnFourNodes(String tx) {
    List<CompletableFuture<CliCluster.Result>> votes = new ArrayList<>();
    for (int id = 1; id <= 4; id++) {
      String node = Integer.toString(id);
      votes.add(
          CompletableFuture.supplyAsync(
              () ->
                  cli.cli(
                      "vote",
                      "--tx-id",
                      tx,
                      "--value",
                      "42",
                      "--node",
                      node,
                      "--wait",
                      "--timeout",
                      "60")));
    }
    for (CompletableFuture<CliCluster.Result> f : votes) {
      CliCluster.Result r = f.join();
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().contains("accepted:"), r.toString());
      assertTrue(
          r.out().contains("decision: THRESHOLD_REACHED value 42")
              || r.out().contains("decision: COMMITTED value 42"),
          r.toString());
    }
  }

  @Test
  void voteWithWaitThenStatusJsonAndVerifyCertificate() throws Exception {
    String tx = "cli-vote-1";
    voteOnFourNodes(tx);
    CliCluster.Result status = cli.cli("status", "--tx-id", tx, "--node", "2", "--json");
    assertEquals(0, status.exit(), status.toString());
    JsonNode s = JSON.readTree(status.out());
    assertTrue(
        Set.of("THRESHOLD_REACHED", "COMMITTED").contains(s.get("state").asText()), status.out());
    assertEquals(4, s.get("countsByValue").get("42").asInt(), status.out());
    assertEquals(4, s.get("votes").size(), status.out());
    assertEquals("42", s.get("decidedValue").asText());
    assertTrue(s.get("certificate").size() >= 4, status.out());
    assertTrue(s.get("certificateVerification").get("valid").asBoolean(), status.out());

    CliCluster.Result human = cli.cli("status", "--tx-id", tx);
    assertEquals(0, human.exit(), human.toString());
    assertTrue(human.out().contains("quorum certificate of 4 signed votes: VALID"), human.out());

    CliCluster.Result verify = cli.cli("verify-certificate", "--tx-id", tx, "--node", "3");
    assertEquals(0, verify.exit(), verify.toString());
    assertTrue(verify.out().startsWith("VALID"), verify.out());
  }

  @Test
  void aTamperedCertificateIsRefusedWithTheReason() {
    String tx = "cli-vote-tamper";
    voteOnFourNodes(tx);
    StatusReply real = fetchStatus(tx);
    X509Certificate ca = Pem.readCertificate(certs.resolve("ca.crt"));
    Map<Integer, X509Certificate> members = new TreeMap<>();
    for (int id = 1; id <= 5; id++) {
      members.put(id, Pem.readCertificate(certs.resolve("node" + id + ".crt")));
    }
    assertTrue(CertificateCheck.verify(real, ca, members, 4).valid());

    List<Vote> flipped = new ArrayList<>(real.certificate());
    byte[] sig = flipped.get(0).signature();
    sig[5] ^= 0x40;
    flipped.set(0, flipped.get(0).withSignature(sig));
    VerificationResult badSig =
        CertificateCheck.verify(withCertificate(real, flipped, "42"), ca, members, 4);
    assertFalse(badSig.valid());
    assertTrue(badSig.reason().contains("signature does not verify"), badSig.reason());

    VerificationResult otherValue =
        CertificateCheck.verify(withCertificate(real, real.certificate(), "43"), ca, members, 4);
    assertFalse(otherValue.valid());
    assertTrue(otherValue.reason().contains("is not 43"), otherValue.reason());

    VerificationResult tooFew =
        CertificateCheck.verify(
            withCertificate(real, real.certificate().subList(0, 3), "42"), ca, members, 4);
    assertFalse(tooFew.valid());
    assertTrue(tooFew.reason().contains("threshold is 4"), tooFew.reason());
  }

  private static StatusReply withCertificate(StatusReply r, List<Vote> votes, String value) {
    return new StatusReply(
        r.requestId(),
        r.clusterId(),
        r.txId(),
        r.state(),
        r.countsByValue(),
        r.votes(),
        value,
        votes,
        r.violations(),
        r.openedAtMillis(),
        r.deadlineMillis(),
        r.safetyAlarm());
  }

  private static StatusReply fetchStatus(String tx) {
    ClientTls tls =
        ClientTls.load(
            certs.resolve("client.crt"), certs.resolve("client.key"), certs.resolve("ca.crt"));
    NodeAddress node =
        ClusterNodes.parse(cli.nodes).entrySet().stream()
            .findFirst()
            .map(e -> new NodeAddress(java.util.OptionalInt.of(e.getKey()), e.getValue()))
            .orElseThrow();
    try (ControlClient c = ControlClient.connect(node, tls)) {
      return (StatusReply) c.call(new StatusRequest(7, tx), Duration.ofSeconds(10));
    }
  }

  @Test
  void peersShowsFourConnectedPeersOnEveryNode() throws Exception {
    for (int id = 1; id <= 5; id++) {
      CliCluster.Result r = cli.cli("peers", "--node", Integer.toString(id));
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().contains("4 of 4 peers connected"), r.out());
      CliCluster.Result j = cli.cli("peers", "--node", Integer.toString(id), "--json");
      JsonNode peers = JSON.readTree(j.out()).get("peers");
      assertEquals(4, peers.size(), j.out());
      for (JsonNode p : peers) {
        assertEquals("CONNECTED", p.get("state").asText(), j.out());
      }
    }
  }

  @Test
  void infoShowsQuorumAndToleratedFaults() throws Exception {
    CliCluster.Result r = cli.cli("info", "--node", "3");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("node 3 listening on"), r.out());
    assertTrue(r.out().contains("n = 5, t = 4"), r.out());
    assertTrue(
        r.out().contains("safety up to 2 Byzantine node(s), liveness up to 1 faulty node(s)"),
        r.out());
    assertTrue(r.out().contains("CN=node-3"), r.out());
    assertTrue(r.out().contains("health postgres"), r.out());
    JsonNode j = JSON.readTree(cli.cli("info", "--node", "3", "--json").out());
    assertEquals(5, j.get("totalNodes").asInt());
    assertEquals(4, j.get("threshold").asInt());
    assertEquals(2, j.get("safetyTolerance").asInt());
    assertEquals(1, j.get("livenessTolerance").asInt());
    assertEquals("ok", j.get("health").get("postgres").asText());
  }

  @Test
  void monitorWithCountTwoPrintsTwoRefreshes() {
    CliCluster.Result r = cli.cli("monitor", "--count", "2", "--interval", "0.2", "--node", "4");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("=== refresh 1: node 4"), r.out());
    assertTrue(r.out().contains("=== refresh 2: node 4"), r.out());
    assertFalse(r.out().contains("=== refresh 3"), r.out());
    assertTrue(r.out().contains("decisions/s:"), r.out());
  }

  @Test
  void unbanAsksEveryOtherMember() {
    CliCluster.Result r = cli.cli("unban", "--node", "5");
    assertEquals(0, r.exit(), r.toString());
    for (int id = 1; id <= 4; id++) {
      assertTrue(r.out().contains("node " + id + " at "), r.out());
    }
    assertTrue(r.out().contains("node 5 was not banned"), r.out());
    CliCluster.Result missing = cli.cli("unban");
    assertEquals(2, missing.exit(), missing.toString());
    assertTrue(missing.err().contains("unban --node ID"), missing.err());
  }

  @Test
  void badTxIdAndValueAreRefusedBeforeConnecting() {
    CliCluster.Result badTx = cli.cli("vote", "--tx-id", "bad id!", "--value", "1");
    assertEquals(2, badTx.exit(), badTx.toString());
    assertTrue(badTx.err().contains("tx"), badTx.err());
    CliCluster.Result big = cli.cli("vote", "--tx-id", "ok-1", "--value", "18446744073709551616");
    assertEquals(2, big.exit(), big.toString());
    assertTrue(big.err().contains("18446744073709551615"), big.err());
    CliCluster.Result negative = cli.cli("vote", "--tx-id", "ok-1", "--value", "-1");
    assertEquals(2, negative.exit(), negative.toString());
  }

  @Test
  void unknownNodeAndUnreachableNodeSayWhatToDo() throws IOException {
    CliCluster.Result unknown = cli.cli("info", "--node", "9");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("unknown node 9"), unknown.err());
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    CliCluster.Result down = cli.cli("info", "--node", "127.0.0.1:" + closed);
    assertEquals(1, down.exit(), down.toString());
    assertTrue(down.err().contains("is the node running? scripts/cluster.sh status"), down.err());
  }

  @Test
  void unknownTxIsNotFound() {
    CliCluster.Result r = cli.cli("status", "--tx-id", "never-voted-on");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("NOT_FOUND"), r.err());
    assertTrue(r.err().contains("never-voted-on"), r.err());
  }

  @Test
  void missingClientCertificateNamesThePathAndTheScript() {
    Path missing = certs.resolve("nope.crt");
    CliCluster.Result r =
        CliCluster.raw(
            "info",
            "--nodes",
            cli.nodes,
            "--cert",
            missing.toString(),
            "--key",
            certs.resolve("client.key").toString(),
            "--ca",
            certs.resolve("ca.crt").toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains(missing.toString()), r.err());
    assertTrue(r.err().contains("scripts/generate-certs.sh"), r.err());
  }

  @Test
  void aNodeCertificateUsedAsClientIsRefusedByTheNode() {
    CliCluster.Result r =
        CliCluster.raw(
            "info",
            "--node",
            "2",
            "--nodes",
            cli.nodes,
            "--cert",
            certs.resolve("node1.crt").toString(),
            "--key",
            certs.resolve("node1.key").toString(),
            "--ca",
            certs.resolve("ca.crt").toString());
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("use a client certificate (CN client-*)"), r.err());
  }

  @Test
  void testByzantineOnANodeWithoutTestingIsForbidden() {
    CliCluster.Result r = cli.cli("test-byzantine", "--test-type", "silent", "--node", "5");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("byzantine-testing = off"), r.err());
    CliCluster.Result badType = cli.cli("test-byzantine", "--test-type", "bribe", "--node", "5");
    assertEquals(2, badType.exit(), badType.toString());
  }

  @Test
  void everyCommandHasHelp() {
    for (String cmd :
        List.of(
            "vote",
            "status",
            "info",
            "peers",
            "test-byzantine",
            "monitor",
            "unban",
            "verify-certificate")) {
      CliCluster.Result r = CliCluster.raw(cmd, "--help");
      assertEquals(0, r.exit(), cmd + ": " + r);
      assertTrue(r.out().contains("Usage: mtls-voting " + cmd), r.out());
    }
  }
}
