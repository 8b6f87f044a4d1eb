package io.mtlsvoting.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading and validation of the mtls-voting block, including env-style overrides. */
class NodeSettingsTest {
  @TempDir static Path dir;

  @BeforeAll
  static void files() throws IOException {
    for (String f : List.of("ca.crt", "node1.crt", "node1.key", "node3.crt", "node3.key")) {
      Files.writeString(dir.resolve(f), "placeholder");
    }
  }

  /** The defaults of reference.conf with the TLS paths pointed at existing files. */
  private static Map<String, Object> base() {
    Map<String, Object> m = new HashMap<>();
    m.put("mtls-voting.tls.ca-cert", dir.resolve("ca.crt").toString());
    m.put("mtls-voting.tls.node-cert", dir.resolve("node1.crt").toString());
    m.put("mtls-voting.tls.node-key", dir.resolve("node1.key").toString());
    return m;
  }

  private static NodeSettings load(Map<String, Object> overrides) {
    Map<String, Object> m = base();
    m.putAll(overrides);
    return NodeSettings.load(config(m));
  }

  private static Config config(Map<String, Object> m) {
    return ConfigFactory.parseMap(m).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  private static ConfigProblem problem(Map<String, Object> overrides) {
    return assertThrows(ConfigProblem.class, () -> load(overrides));
  }

  @Test
  void defaultsLoad() {
    NodeSettings s = load(Map.of());
    assertEquals(1, s.nodeId());
    assertEquals(5, s.members().size());
    assertEquals(List.of(2, 3, 4, 5), s.peerIds());
    assertEquals(4, s.quorum().t());
    assertEquals(Duration.ofSeconds(30), s.voteTimeout());
    assertEquals(65536, s.maxFrameBytes());
    assertEquals("127.0.0.1", s.members().get(3).getHostString());
    assertEquals(9003, s.members().get(3).getPort());
    assertTrue(s.tls().crl().isEmpty());
    assertEquals(false, s.byzantineTesting());
  }

  @Test
  void environmentStyleOverridesWin() {
    // Layered like ${?VAR} substitutions: NODE_ID, LISTEN_ADDR, NODE_CERT_PATH,
    // VOTE_TIMEOUT_SECS...
    NodeSettings s =
        load(
            Map.of(
                "mtls-voting.node-id", "3",
                "mtls-voting.listen-address", "0.0.0.0:7003",
                "mtls-voting.tls.node-cert", dir.resolve("node3.crt").toString(),
                "mtls-voting.tls.node-key", dir.resolve("node3.key").toString(),
                "mtls-voting.vote-timeout-secs", "7",
                "mtls-voting.bootstrap-peers", "10.0.0.1:7001,10.0.0.2:7002,5@10.0.0.5:7005",
                "mtls-voting.total-nodes", "4",
                "mtls-voting.threshold", "3"));
    assertEquals(3, s.nodeId());
    assertEquals(Duration.ofSeconds(7), s.voteTimeout());
    assertEquals(
        Map.of(
            1, InetSocketAddress.createUnresolved("10.0.0.1", 7001),
            2, InetSocketAddress.createUnresolved("10.0.0.2", 7002),
            3, InetSocketAddress.createUnresolved("0.0.0.0", 7003),
            5, InetSocketAddress.createUnresolved("10.0.0.5", 7005)),
        s.members());
    assertEquals(3, s.quorum().t());
  }

  @Test
  void bootstrapPlainEntriesSkipOwnId() {
    NodeSettings s =
        load(
            Map.of(
                "mtls-voting.node-id", "1",
                "mtls-voting.bootstrap-peers", "h2:1,h3:1",
                "mtls-voting.total-nodes", "3",
                "mtls-voting.threshold", "2"));
    assertEquals(List.of(1, 2, 3), List.copyOf(s.members().keySet()));
    assertEquals("h2", s.members().get(2).getHostString());
  }

  @Test
  void bootstrapMayListThisNodeWithTheAddressPeersDial() {
    NodeSettings s =
        load(
            Map.of(
                "mtls-voting.node-id", "2",
                "mtls-voting.listen-address", "0.0.0.0:9000",
                "mtls-voting.bootstrap-peers", "1@node-1:9000,2@node-2:9000,3@node-3:9000",
                "mtls-voting.total-nodes", "3",
                "mtls-voting.threshold", "2"));
    assertEquals(List.of(1, 2, 3), List.copyOf(s.members().keySet()));
    assertEquals("node-2", s.members().get(2).getHostString(), "advertised, not 0.0.0.0");
    assertEquals("0.0.0.0", s.listenAddress().getHostString());
    ConfigProblem twice =
        problem(Map.of("mtls-voting.bootstrap-peers", "2@h:1,2@h:2", "mtls-voting.node-id", "2"));
    assertTrue(twice.getMessage().contains("duplicate member id 2"), twice.getMessage());
  }

  @Test
  void missingKey() {
    Map<String, Object> m = base();
    Config c = config(m).withoutPath("mtls-voting.cluster-id");
    ConfigProblem p = assertThrows(ConfigProblem.class, () -> NodeSettings.load(c));
    assertEquals("mtls-voting.cluster-id", p.key());
    assertTrue(p.getMessage().contains("missing"), p.getMessage());
  }

  @Test
  void badAddress() {
    ConfigProblem p = problem(Map.of("mtls-voting.listen-address", "localhost"));
    assertEquals("mtls-voting.listen-address", p.key());
    assertTrue(p.getMessage().contains("host:port"), p.getMessage());
    ConfigProblem port = problem(Map.of("mtls-voting.listen-address", "localhost:70000"));
    assertTrue(port.getMessage().contains("port"), port.getMessage());
  }

  @Test
  void nodeIdNotAMember() {
    ConfigProblem p = problem(Map.of("mtls-voting.node-id", "9"));
    assertEquals("mtls-voting.node-id", p.key());
    assertTrue(p.getMessage().contains("not among the members"), p.getMessage());
  }

  @Test
  void memberCountDiffersFromTotalNodes() {
    ConfigProblem p = problem(Map.of("mtls-voting.total-nodes", "4", "mtls-voting.threshold", "3"));
    assertEquals("mtls-voting.members", p.key());
    assertTrue(p.getMessage().contains("total-nodes is 4"), p.getMessage());
  }

  @Test
  void duplicateMemberIds() {
    ConfigProblem p =
        problem(
            Map.of(
                "mtls-voting.members",
                List.of(
                    Map.of("id", 1, "address", "a:1"),
                    Map.of("id", 1, "address", "b:1"),
                    Map.of("id", 2, "address", "c:1")),
                "mtls-voting.total-nodes",
                "3",
                "mtls-voting.threshold",
                "2"));
    assertTrue(p.getMessage().contains("duplicate member id 1"), p.getMessage());
  }

  @Test
  void quorumProblemsComeFromQuorum() {
    ConfigProblem p = problem(Map.of("mtls-voting.threshold", "2"));
    assertEquals("mtls-voting.threshold", p.key());
    assertTrue(p.getMessage().contains("greater than total-nodes/2"), p.getMessage());
    ConfigProblem high = problem(Map.of("mtls-voting.threshold", "6"));
    assertTrue(high.getMessage().contains("must not exceed"), high.getMessage());
  }

  @Test
  void unreadableTlsFile() {
    ConfigProblem p =
        problem(Map.of("mtls-voting.tls.ca-cert", dir.resolve("nope.crt").toString()));
    assertEquals("mtls-voting.tls.ca-cert", p.key());
    assertTrue(p.getMessage().contains("not readable"), p.getMessage());
    ConfigProblem crl = problem(Map.of("mtls-voting.tls.crl", dir.resolve("crl.pem").toString()));
    assertEquals("mtls-voting.tls.crl", crl.key());
  }

  @Test
  void badDurationAndNumbers() {
    ConfigProblem d = problem(Map.of("mtls-voting.ping-interval", "often"));
    assertEquals("mtls-voting.ping-interval", d.key());
    ConfigProblem q = problem(Map.of("mtls-voting.outbound-queue-size", "0"));
    assertEquals("mtls-voting.outbound-queue-size", q.key());
    ConfigProblem s =
        problem(
            Map.of("mtls-voting.ping-interval", "10s", "mtls-voting.peer-silence-deadline", "5s"));
    assertEquals("mtls-voting.peer-silence-deadline", s.key());
  }

  @Test
  void badBootstrapEntry() {
    ConfigProblem p = problem(Map.of("mtls-voting.bootstrap-peers", "x@h:1"));
    assertEquals("mtls-voting.bootstrap-peers", p.key());
    assertTrue(p.getMessage().contains("bad id"), p.getMessage());
  }
}
