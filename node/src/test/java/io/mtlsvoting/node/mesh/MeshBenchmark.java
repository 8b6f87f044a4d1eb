package io.mtlsvoting.node.mesh;

import static io.mtlsvoting.node.mesh.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.protocol.Hello;
import io.mtlsvoting.protocol.Protocol;
import io.mtlsvoting.protocol.Vote;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

/**
 * Prints throughput over one established connection, TLS 1.3 handshake times and loopback RTT. Not
 * part of the default test run (no *Test suffix): {@code mvn -pl node -am test -Dtest=MeshBenchmark
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class MeshBenchmark {
  @Test
  void figures() throws Exception {
    Path certs = TestCerts.generate(3);
    try (TestNodes nodes = new TestNodes(certs, 2, 2)) {
      Map<String, Object> big = Map.of("mtls-voting.outbound-queue-size", 65536);
      nodes.start(1, big);
      AtomicLong received = new AtomicLong();
      var cfg = nodes.config(2, big);
      var settings = io.mtlsvoting.node.config.NodeSettings.load(cfg);
      ActorSystem<Node.Command> two =
          ActorSystem.create(
              Node.create(settings, (from, m) -> received.incrementAndGet()), "node-2", cfg);
      try {
        TestNodes.Running r1 = nodes.node(1);
        await(
            Duration.ofSeconds(30),
            () -> assertEquals(PeerState.CONNECTED, r1.peers().peer(2).state()));
        Broadcaster b = r1.broadcaster();
        Vote v = new Vote("bench-tx", 1, 7, 1, new byte[64]);
        for (int round = 0; round < 2; round++) {
          int n = 200_000;
          long start0 = received.get();
          long t0 = System.nanoTime();
          for (int i = 0; i < n; i++) {
            while (!b.sendTo(2, v)) {
              Thread.onSpinWait();
            }
          }
          await(Duration.ofSeconds(120), () -> assertEquals(start0 + n, received.get()));
          double secs = (System.nanoTime() - t0) / 1e9;
          System.out.printf(
              "BENCH round %d: %d vote messages (%d-byte frames) in %.2f s = %.0f msg/s%n",
              round, n, 4 + io.mtlsvoting.protocol.MessageCodec.encode(v).length, secs, n / secs);
        }
        // Sample the idle ping RTT (one ping every 300 ms) for a few seconds.
        long[] rtts = new long[20];
        for (int i = 0; i < rtts.length; i++) {
          long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
          await(Duration.ofSeconds(10), () -> assertEquals(true, System.nanoTime() > until));
          rtts[i] = r1.peers().peer(2).rttLastMicros();
        }
        Arrays.sort(rtts);
        System.out.printf(
            "BENCH idle ping RTT node1->node2 (last-sample values over 6 s): min %d us, median %d"
                + " us, max %d us; EWMA %d us%n",
            rtts[0],
            rtts[rtts.length / 2],
            rtts[rtts.length - 1],
            r1.peers().peer(2).rttEwmaMicros());

        int handshakes = 200;
        long[] times = new long[handshakes];
        Hello hello =
            new Hello(Protocol.PROTOCOL_VERSION, "test-cluster", 2, settings.configHash());
        // Plays node 2 on a second connection: it is authenticated, then loses the tie-break.
        javax.net.ssl.SSLContext client =
            RawPeer.context(
                certs.resolve("ca.crt"), certs.resolve("node2.crt"), certs.resolve("node2.key"));
        for (int i = 0; i < handshakes; i++) {
          long t0 = System.nanoTime();
          try (RawPeer p = RawPeer.connect(nodes.port(1), client, "TLSv1.3")) {
            p.socket.startHandshake();
            p.send(hello);
            // first application bytes from the server prove the handshake completed both ways
            p.socket.getInputStream().read();
          }
          times[i] = System.nanoTime() - t0;
        }
        Arrays.sort(times);
        System.out.printf(
            "BENCH TLS 1.3 mutual handshake + first record (JDK client -> node), %d runs: median"
                + " %.2f ms, p99 %.2f ms%n",
            handshakes, times[handshakes / 2] / 1e6, times[(int) (handshakes * 0.99)] / 1e6);
      } finally {
        two.terminate();
      }
    }
  }
}
