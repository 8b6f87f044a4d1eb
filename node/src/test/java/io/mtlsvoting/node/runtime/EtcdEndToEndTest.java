package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.etcd.EtcdStartup;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Complete nodes with etcd configured (real etcd, real PostgreSQL, real mesh): decisions are
 * committed through {@code consensus/<tx>} and a node with another threshold refuses to start.
 */
class EtcdEndToEndTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  @TempDir static Path certs;

  @Test
  void fiveNodesCommitThroughEtcdAndAMismatchedNodeRefusesToStart() throws Exception {
    TestCluster.generateCerts(certs, 5);
    String prefix = "/e2e-" + System.nanoTime() + "/";
    try (TestCluster cluster =
        new TestCluster(certs, postgres.jdbcUrl(), 5, 4, Set.of())
            .with("mtls-voting.etcd.endpoints", etcd.endpoint().toString())
            .with("mtls-voting.etcd.prefix", prefix)) {
      cluster.startAll();
      cluster.awaitMesh();
      String tx = "etcd-e2e-1";
      for (int id = 1; id <= 5; id++) {
        cluster.node(id).context().caster().castVote(tx, 9L).toCompletableFuture().join();
      }
      for (int id = 1; id <= 5; id++) {
        awaitPhase(cluster.node(id).context(), tx, Phase.COMMITTED);
      }
      String qc = cluster.consensus(1, tx).orElseThrow();
      assertTrue(qc.contains("\"9\"") || qc.contains(":9"), qc);

      // Same etcd prefix, another threshold: refused before it joins.
      TestCluster other =
          new TestCluster(certs, postgres.jdbcUrl(), 5, 3, Set.of())
              .with("mtls-voting.etcd.endpoints", etcd.endpoint().toString())
              .with("mtls-voting.etcd.prefix", prefix)
              .with("mtls-voting.etcd.startup-timeout", "10s");
      var refused =
          assertThrows(
              EtcdStartup.ConfigMismatchException.class,
              () -> NodeRuntime.start(other.config(1), List.of()));
      assertTrue(refused.getMessage().contains("threshold"), refused.getMessage());
    }
  }

  private static void awaitPhase(NodeContext c, String tx, Phase phase) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    TallyState s;
    do {
      s = c.caster().status(tx).toCompletableFuture().join();
      if (s.phase() == phase) {
        return;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    assertEquals(phase, s.phase(), "node " + c.nodeId() + ": " + s);
  }
}
