package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.ViolationRecord;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five complete nodes in one JVM over the real mTLS 1.3 mesh, journaling in a real PostgreSQL: an
 * honest vote reaches the threshold everywhere with verifiable certificates, and a node that
 * double-votes on the wire is caught by every other node.
 */
class EndToEndVotingTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path certs;
  static TestCluster cluster;
  static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void startCluster() throws Exception {
    TestCluster.generateCerts(certs, 5);
    cluster = new TestCluster(certs, postgres.jdbcUrl(), 5, 4, Set.of(5)).startAll();
    cluster.awaitMesh();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static TallyState awaitDecision(int node, String tx) {
    return cluster
        .node(node)
        .context()
        .caster()
        .awaitDecision(tx, WAIT)
        .toCompletableFuture()
        .join();
  }

  @Test
  void allFiveVoteTheSameValueAndEachHoldsAVerifiableQuorumCertificate() {
    String tx = "e2e-honest-1";
    for (int id = 1; id <= 5; id++) {
      var reply =
          cluster.node(id).context().caster().castVote(tx, 42L).toCompletableFuture().join();
      assertInstanceOf(VoteTally.CastAccepted.class, reply, "node " + id + " cast");
    }
    NodeContext any = cluster.node(1).context();
    for (int id = 1; id <= 5; id++) {
      TallyState s = awaitDecision(id, tx);
      assertEquals(Phase.THRESHOLD_REACHED, s.phase(), "node " + id + ": " + s);
      QuorumCertificate qc = s.certificate();
      assertEquals(42L, qc.value());
      var result = qc.verify(any.caCertificate(), any.memberCertificates(), 4);
      assertTrue(result.valid(), "node " + id + " QC: " + result.reason());
      assertTrue(s.violations().isEmpty(), "no violations at node " + id + ": " + s.violations());
    }
  }

  @Test
  void aDoubleVoteOnTheWireIsCaughtByTheOtherFourWhoStillDecide() {
    String tx = "e2e-double-1";
    NodeContext cheater = cluster.node(5).context();
    var sent = cheater.byzantine().orElseThrow().doubleVote(tx, 7L, 8L);
    assertEquals(2, sent.votes().size(), "two conflicting signed votes: " + sent);
    for (int id = 1; id <= 4; id++) {
      cluster.node(id).context().caster().castVote(tx, 7L).toCompletableFuture().join();
    }
    for (int id = 1; id <= 4; id++) {
      TallyState s = awaitDecision(id, tx);
      assertEquals(Phase.THRESHOLD_REACHED, s.phase(), "node " + id + ": " + s);
      assertEquals(7L, s.certificate().value());
      awaitDoubleVoteRecorded(id, tx);
    }
  }

  /**
   * The evidence may arrive after the decision: a node that got the other value echoes it, and the
   * node holding both values gossips the proof.
   */
  private static void awaitDoubleVoteRecorded(int node, String tx) {
    NodeContext c = cluster.node(node).context();
    VoteVerifier cheaterKey = VoteVerifier.of(c.memberCertificates().get(5));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      TallyState s = c.caster().status(tx).toCompletableFuture().join();
      var dv =
          s.violations().stream().filter(v -> v.type() == ViolationType.DOUBLE_VOTING).toList();
      // The ban follows the journaled violation through the reputation authority.
      if (!dv.isEmpty() && c.bans().test(5)) {
        assertEquals(1, dv.size(), "one double vote at node " + node + ": " + dv);
        ViolationRecord v = dv.get(0);
        assertEquals(5, v.nodeId(), "the cheater is accused, nobody else: " + s.violations());
        assertTrue(
            s.violations().stream().allMatch(x -> x.nodeId() == 5), "honest nodes not accused");
        Vote a = v.vote();
        Vote b = v.otherVote();
        assertTrue(a.value() != b.value(), "two different values");
        assertTrue(cheaterKey.verify(c.settings().clusterId(), a), "first vote signed by node 5");
        assertTrue(cheaterKey.verify(c.settings().clusterId(), b), "second vote signed by node 5");
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + node + " never recorded DOUBLE_VOTING: " + s);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
