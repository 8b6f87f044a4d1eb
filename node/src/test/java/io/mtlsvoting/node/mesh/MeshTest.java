package io.mtlsvoting.node.mesh;

import static io.mtlsvoting.node.mesh.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.Vote;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Full mesh formation, broadcast delivery, node restart and simultaneous dials over real mTLS. */
class MeshTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static Path certs;
  private TestNodes nodes;

  @BeforeAll
  static void certificates() {
    certs = TestCerts.generate(5);
  }

  @AfterEach
  void stopAll() {
    if (nodes != null) {
      nodes.close();
    }
  }

  private static Vote vote(int node, String tx) {
    return new Vote(tx, node, 42L, 1_700_000_000_000L, new byte[64]);
  }

  /** Every node sees all others connected with exactly one connection each. */
  private void awaitSettled(int... ids) {
    await(
        WAIT,
        () -> {
          for (int id : ids) {
            Peers peers = nodes.node(id).peers();
            for (int other : ids) {
              if (other == id) {
                continue;
              }
              PeerStatus s = peers.peer(other);
              assertEquals(PeerState.CONNECTED, s.state(), id + " -> " + other);
              assertEquals(1, s.openConnections(), id + " -> " + other + " connections");
              // Both ends use the same connection: accepted on exactly one side.
              PeerStatus back = nodes.node(other).peers().peer(id);
              assertEquals(s.inboundActive(), !back.inboundActive(), id + " <-> " + other);
            }
          }
        });
  }

  @Test
  void fiveNodesFormFullMeshAndBroadcastArrivesExactlyOnce() {
    nodes = new TestNodes(certs, 5, 4);
    for (int id = 1; id <= 5; id++) {
      nodes.start(id);
    }
    awaitSettled(1, 2, 3, 4, 5);
    for (int id = 1; id <= 5; id++) {
      assertEquals(4, nodes.node(id).peers().connectedCount());
    }
    for (int id = 1; id <= 5; id++) {
      nodes.node(id).broadcaster().broadcast(vote(id, "tx-" + id));
    }
    await(
        WAIT,
        () -> {
          for (int receiver = 1; receiver <= 5; receiver++) {
            for (int sender = 1; sender <= 5; sender++) {
              if (sender != receiver) {
                assertEquals(1, nodes.node(receiver).ingress().count(vote(sender, "tx-" + sender)));
              }
            }
          }
        });
    for (int receiver = 1; receiver <= 5; receiver++) {
      TestNodes.Recording rec = nodes.node(receiver).ingress();
      assertEquals(4, rec.received.size(), "node " + receiver + " got " + rec.received);
      rec.received.forEach(r -> assertEquals(r.from(), ((Vote) r.message()).nodeId()));
    }
    PeerStatus s = nodes.node(1).peers().peer(2);
    assertTrue(s.rttEwmaMicros() > 0 || s.rttLastMicros() >= 0, "rtt measured: " + s);
  }

  @Test
  void restartedNodeRejoinsWithOneConnectionPerPair() {
    nodes = new TestNodes(certs, 3, 2);
    for (int id = 1; id <= 3; id++) {
      nodes.start(id);
    }
    awaitSettled(1, 2, 3);
    nodes.stop(2);
    await(
        WAIT,
        () -> {
          assertTrue(nodes.node(1).peers().peer(2).state() != PeerState.CONNECTED);
          assertTrue(nodes.node(3).peers().peer(2).state() != PeerState.CONNECTED);
        });
    nodes.start(2);
    awaitSettled(1, 2, 3);
    assertTrue(nodes.node(1).peers().peer(2).reconnects() >= 1);
    Message m = vote(2, "tx-after-restart");
    nodes.node(2).broadcaster().broadcast(m);
    await(
        WAIT,
        () -> {
          assertEquals(1, nodes.node(1).ingress().count(m));
          assertEquals(1, nodes.node(3).ingress().count(m));
        });
  }

  @Test
  void simultaneousDialsEndWithOneConnection() {
    nodes = new TestNodes(certs, 2, 2);
    CompletableFuture<?> a = CompletableFuture.runAsync(() -> nodes.start(1));
    CompletableFuture<?> b = CompletableFuture.runAsync(() -> nodes.start(2));
    CompletableFuture.allOf(a, b).join();
    awaitSettled(1, 2);
    PeerStatus oneSeesTwo = nodes.node(1).peers().peer(2);
    PeerStatus twoSeesOne = nodes.node(2).peers().peer(1);
    // Both ends agree on the surviving connection: dialled by node 1 or by node 2.
    assertEquals(oneSeesTwo.inboundActive(), !twoSeesOne.inboundActive());
    nodes.node(1).broadcaster().sendTo(2, vote(1, "tx-x"));
    await(WAIT, () -> assertEquals(1, nodes.node(2).ingress().count(vote(1, "tx-x"))));
  }
}
