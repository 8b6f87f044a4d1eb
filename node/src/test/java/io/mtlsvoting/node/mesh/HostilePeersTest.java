package io.mtlsvoting.node.mesh;

import static io.mtlsvoting.node.mesh.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.protocol.Frames;
import io.mtlsvoting.protocol.Hello;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.MessageCodec;
import io.mtlsvoting.protocol.Ping;
import io.mtlsvoting.protocol.Protocol;
import io.mtlsvoting.protocol.Vote;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Everything that must be refused or survived: wrong TLS, wrong certificates, wrong Hello, garbage,
 * oversize frames and floods. Members are nodes 1..3; nodes 1 and 2 run (node 1 with a CRL that
 * revokes node 5), and the tests play node 3 or worse against node 1.
 */
class HostilePeersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Path certs;
  private static Path otherCa;
  private static TestNodes nodes;
  private static final AtomicLong TX = new AtomicLong();

  @BeforeAll
  static void start() throws Exception {
    certs = TestCerts.generate(5);
    TestCerts.run(certs, "--expired", "expired3", "--node-id", "3");
    TestCerts.run(certs, "--revoke", certs.resolve("node5.crt").toString());
    otherCa = TestCerts.generate(3);
    nodes = new TestNodes(certs, 3, 2);
    nodes.start(1, Map.of("mtls-voting.tls.crl", certs.resolve("crl.pem").toString()));
    nodes.start(2);
    awaitOneAndTwoConnected();
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  private static void awaitOneAndTwoConnected() {
    await(
        WAIT,
        () -> {
          assertEquals(PeerState.CONNECTED, nodes.node(1).peers().peer(2).state());
          assertEquals(PeerState.CONNECTED, nodes.node(2).peers().peer(1).state());
        });
  }

  /** Both running nodes still exchange messages. */
  private static void meshStillWorks() {
    awaitOneAndTwoConnected();
    Vote v = new Vote("tx-" + TX.incrementAndGet(), 2, 1, 1, new byte[64]);
    nodes.node(2).broadcaster().broadcast(v);
    Vote w = new Vote("tx-" + TX.incrementAndGet(), 1, 1, 1, new byte[64]);
    nodes.node(1).broadcaster().broadcast(w);
    await(
        WAIT,
        () -> {
          assertEquals(1, nodes.node(1).ingress().count(v));
          assertEquals(1, nodes.node(2).ingress().count(w));
        });
  }

  private static int port() {
    return nodes.port(1);
  }

  private static long rejected(String category) {
    return nodes.node(1).peers().listener().rejected(category);
  }

  private static void awaitRejected(String category, long before, String reasonFragment) {
    await(
        WAIT,
        () -> {
          ListenerStats stats = nodes.node(1).peers().listener();
          assertTrue(stats.rejected(category) > before, stats.toString());
          String last = stats.lastRejection().orElse("").toLowerCase();
          assertTrue(last.contains(reasonFragment.toLowerCase()), stats.toString());
        });
  }

  private static RawPeer peer(String name, Path dir) throws Exception {
    return RawPeer.connect(
        port(),
        certs.resolve("ca.crt"),
        dir.resolve(name + ".crt"),
        dir.resolve(name + ".key"),
        "TLSv1.3");
  }

  private static Hello hello(String cluster, int n, int t) {
    List<Integer> ids = n == 3 ? List.of(1, 2, 3) : List.of(1, 2, 3, 4, 5);
    return new Hello(Protocol.PROTOCOL_VERSION, cluster, 3, Protocol.configHash(n, t, ids));
  }

  /** The node refuses: the connection closes without a single frame from the node. */
  private static void closesSilently(RawPeer p) throws Exception {
    try {
      p.socket.startHandshake();
      p.send(hello("test-cluster", 3, 2));
    } catch (SSLException | java.net.SocketException e) {
      return; // refused during the handshake itself
    }
    assertEquals(List.of(), p.readUntilClosed());
  }

  @Test
  void tls12ClientFailsTheHandshake() throws Exception {
    long before = rejected("tls");
    try (RawPeer p =
        RawPeer.connect(
            port(),
            certs.resolve("ca.crt"),
            certs.resolve("node3.crt"),
            certs.resolve("node3.key"),
            "TLSv1.2")) {
      assertThrows(SSLException.class, () -> p.socket.startHandshake());
    }
    awaitRejected("tls", before, "TLS handshake failed");
  }

  @Test
  void plainTcpIsClosedWithoutHello() throws Exception {
    long before = rejected("tls");
    try (Socket s = new Socket("127.0.0.1", port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] all = in.readAllBytes(); // at most a TLS alert, never a Hello; ends when closed
      assertTrue(all.length < 64, "got " + all.length + " bytes");
    }
    awaitRejected("tls", before, "TLS");
  }

  @Test
  void clientWithoutCertificateIsRefused() throws Exception {
    long before = rejected("tls");
    try (RawPeer p = RawPeer.connect(port(), certs.resolve("ca.crt"), null, null, "TLSv1.3")) {
      closesSilently(p);
    }
    awaitRejected("tls", before, "TLS handshake failed");
  }

  @Test
  void certificateFromAnotherCaIsRefused() throws Exception {
    long before = rejected("tls");
    try (RawPeer p = peer("node3", otherCa)) {
      closesSilently(p);
    }
    awaitRejected("tls", before, "TLS");
  }

  @Test
  void expiredCertificateIsRefused() throws Exception {
    long before = rejected("tls");
    try (RawPeer p = peer("expired3", certs)) {
      closesSilently(p);
    }
    awaitRejected("tls", before, "TLS");
  }

  @Test
  void revokedCertificateIsRefused() throws Exception {
    long before = rejected("tls");
    try (RawPeer p = peer("node5", certs)) {
      closesSilently(p);
    }
    awaitRejected("tls", before, "revoked");
  }

  @Test
  void nodeOutsideMembershipIsRefused() throws Exception {
    long before = rejected("not-member");
    try (RawPeer p = peer("node4", certs)) {
      closesSilently(p);
    }
    awaitRejected("not-member", before, "node-4 is not a member");
  }

  @Test
  void clientCertificateCannotJoinAsNode() throws Exception {
    long before = rejected("client");
    try (RawPeer p = peer("client", certs)) {
      closesSilently(p);
    }
    awaitRejected("client", before, ClientConnectionHandler.REFUSAL);
  }

  private static void helloRefused(Message first, String reasonFragment) throws Exception {
    long before = nodes.node(1).peers().peer(3).failedAttempts();
    try (RawPeer p = peer("node3", certs)) {
      p.send(first);
      List<Message> got = p.readUntilClosed();
      assertTrue(got.size() <= 1 && got.stream().allMatch(m -> m instanceof Hello), got.toString());
    }
    await(
        WAIT,
        () -> {
          PeerStatus s = nodes.node(1).peers().peer(3);
          assertTrue(s.failedAttempts() > before, s.toString());
          assertTrue(
              s.recentErrors().stream().anyMatch(e -> e.contains(reasonFragment)), s.toString());
        });
  }

  @Test
  void helloWithAnotherClusterIdIsRefused() throws Exception {
    helloRefused(hello("other-cluster", 3, 2), "cluster id 'other-cluster'");
  }

  @Test
  void helloWithAnotherConfigurationIsRefused() throws Exception {
    helloRefused(hello("test-cluster", 5, 3), "config hash differs");
  }

  @Test
  void messageBeforeHelloIsRefused() throws Exception {
    helloRefused(new Ping(1, 1), "Ping before Hello");
  }

  private static void afterHello(byte[] attack, String reasonFragment) throws Exception {
    long before = nodes.node(1).peers().peer(3).protocolErrors();
    try (RawPeer p = peer("node3", certs)) {
      p.send(hello("test-cluster", 3, 2));
      p.sendRaw(attack);
      p.readUntilClosed();
    }
    await(
        WAIT,
        () -> {
          PeerStatus s = nodes.node(1).peers().peer(3);
          assertTrue(s.protocolErrors() > before, s.toString());
          assertTrue(
              s.recentErrors().stream().anyMatch(e -> e.contains(reasonFragment)), s.toString());
        });
    meshStillWorks();
  }

  @Test
  void garbageFrameDisconnectsOnlyThatPeer() throws Exception {
    afterHello(Frames.frame(new byte[] {(byte) 0xff, 0x13, 0x37, 0x00}), "undecodable frame");
  }

  @Test
  void oversizeLengthHeaderDisconnectsOnlyThatPeer() throws Exception {
    afterHello(new byte[] {0x00, 0x10, 0x00, 0x00, 1, 2, 3}, "bad frame");
  }

  @Test
  void floodIsBoundedAndCounted() throws Exception {
    long dropsBefore = nodes.node(1).peers().peer(3).drops();
    byte[] ping = Frames.frame(MessageCodec.encode(new Ping(7, 7)));
    byte[] batch = new byte[ping.length * 2000];
    for (int i = 0; i < 2000; i++) {
      System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
    }
    AtomicBoolean stop = new AtomicBoolean();
    try (RawPeer p = peer("node3", certs)) {
      p.send(hello("test-cluster", 3, 2));
      Thread flooder =
          new Thread(
              () -> {
                try {
                  // Never reads: every Pong the node answers piles up on its side.
                  while (!stop.get()) {
                    p.sendRaw(batch);
                  }
                } catch (Exception e) {
                  // the node closed the connection or the test ended: both fine
                }
              });
      flooder.setDaemon(true);
      flooder.start();
      try {
        await(
            Duration.ofSeconds(90),
            () -> assertTrue(nodes.node(1).peers().peer(3).drops() > dropsBefore));
        // The other peer is unaffected while the flood goes on.
        meshStillWorks();
      } finally {
        stop.set(true);
      }
    }
    meshStillWorks();
  }

  @Test
  void dialledNodeMustPresentTheExpectedIdentity() throws Exception {
    try (TestNodes other = new TestNodes(certs, 3, 2)) {
      // Node 1 believes node 2 lives at node 3's port.
      Map<String, Object> wrong =
          Map.of(
              "mtls-voting.members",
              List.of(
                  Map.of("id", 1, "address", "127.0.0.1:" + other.port(1)),
                  Map.of("id", 2, "address", "127.0.0.1:" + other.port(3)),
                  Map.of("id", 3, "address", "127.0.0.1:" + other.port(3))));
      other.start(1, wrong);
      other.start(3);
      await(
          WAIT,
          () -> {
            Peers peers = other.node(1).peers();
            assertEquals(PeerState.CONNECTED, peers.peer(3).state());
            PeerStatus two = peers.peer(2);
            assertTrue(two.state() != PeerState.CONNECTED, two.toString());
            assertTrue(
                two.lastError()
                    .orElse("")
                    .contains("dialled node-2 but the server presented node-3"),
                two.toString());
          });
    }
  }

  @Test
  void opensslTls13SucceedsAndTls12Fails() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(opensslAvailable(), "openssl not installed");
    String tls13 = sClient("-tls1_3");
    assertTrue(tls13.contains("TLSv1.3"), "TLS 1.3 attempt:\n" + tls13);
    assertTrue(
        tls13.contains("Verification: OK") || tls13.contains("Verify return code: 0 (ok)"),
        "TLS 1.3 attempt:\n" + tls13);
    String tls12 = sClient("-tls1_2");
    // The node must refuse with a protocol_version alert, not just drop the connection.
    assertTrue(tls12.contains("alert protocol version"), "TLS 1.2 attempt:\n" + tls12);
    assertTrue(!tls12.contains("TLSv1.2, Cipher is"), "TLS 1.2 attempt:\n" + tls12);
  }

  private static boolean opensslAvailable() {
    try {
      Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static String sClient(String version) throws Exception {
    Path out = Files.createTempFile("s_client", ".txt");
    Process p =
        new ProcessBuilder(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port(),
                version,
                "-cert",
                certs.resolve("node3.crt").toString(),
                "-key",
                certs.resolve("node3.key").toString(),
                "-CAfile",
                certs.resolve("ca.crt").toString(),
                "-verify_return_error",
                "-ign_eof")
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    try {
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new AssertionError("openssl s_client did not finish: " + Files.readString(out));
      }
      return Files.readString(out) + "\nexit=" + p.exitValue();
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }
}
