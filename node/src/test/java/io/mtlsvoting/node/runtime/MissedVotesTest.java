package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Votes sent to a node while it was down are not lost for good: over the real mTLS mesh (and
 * journals on a real PostgreSQL), the restarted node's tally asks the members whose votes it lacks
 * for them and decides, instead of timing out and recording honest members as silent.
 */
class MissedVotesTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @TempDir static Path certs;

  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void aNodeRestartedAfterItsPeersVotedAsksForTheirVotesAndDecides() throws Exception {
    TestCluster.generateCerts(certs, 5);
    String tx = "missed-while-down-1";
    try (TestCluster cluster =
        new TestCluster(certs, postgres.jdbcUrl(), 5, 4, Set.of())
            .with("mtls-voting.vote-timeout", "20s")
            .with("mtls-voting.tally.vote-request-interval", "300ms")) {
      cluster.startAll();
      cluster.awaitMesh();
      cluster.stop(5);
      for (int id = 1; id <= 4; id++) {
        cluster.node(id).context().caster().castVote(tx, 7L).toCompletableFuture().join();
      }
      for (int id = 1; id <= 4; id++) {
        TallyState s = decision(cluster, id, tx);
        assertEquals(Phase.THRESHOLD_REACHED, s.phase(), "node " + id + ": " + s);
      }

      cluster.start(5);
      cluster.awaitMesh();
      var cast = cluster.node(5).context().caster().castVote(tx, 7L).toCompletableFuture().join();
      TallyState atCast = assertInstanceOf(VoteTally.CastAccepted.class, cast).state();
      // The four votes were broadcast while node 5 was down: its tally starts with its own alone.
      assertEquals(Set.of(5), atCast.votes().keySet(), "votes held when node 5 cast: " + atCast);

      TallyState decided = decision(cluster, 5, tx);
      assertEquals(Phase.THRESHOLD_REACHED, decided.phase(), "node 5: " + decided);
      assertEquals(7L, decided.certificate().value());
      assertTrue(decided.violations().isEmpty(), "nobody accused: " + decided.violations());
      // Each of the four answered; the votes after the threshold arrive too.
      TallyState all = awaitVotes(cluster, 5, tx, 5);
      assertEquals(Set.of(1, 2, 3, 4, 5), all.votes().keySet());
    }
  }

  private static TallyState decision(TestCluster cluster, int id, String tx) {
    return cluster.node(id).context().caster().awaitDecision(tx, WAIT).toCompletableFuture().join();
  }

  private static TallyState awaitVotes(TestCluster cluster, int id, String tx, int votes)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      TallyState s = cluster.node(id).context().caster().status(tx).toCompletableFuture().join();
      if (s.votes().size() >= votes || System.nanoTime() > deadline) {
        return s;
      }
      Thread.sleep(50);
    }
  }
}
