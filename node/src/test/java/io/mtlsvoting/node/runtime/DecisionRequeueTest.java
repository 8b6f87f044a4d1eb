package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.persistence.audit.AuditRepository;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that stopped after a tally journaled its decision but before the etcd outbox journaled the
 * commit (simulated by removing the outbox's journal) commits that decision after its restart.
 */
class DecisionRequeueTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
  @RegisterExtension static final EtcdExtension etcd = new EtcdExtension();
  @TempDir static Path certs;

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static String auditState(String tx) {
    try {
      return AuditRepository.create(postgres.dataSource())
          .transaction(1, tx)
          .map(r -> r.state())
          .orElse("none");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static EtcdWriter.Status outbox(NodeContext c) {
    return Ask.<EtcdWriter.Command, EtcdWriter.Status>ask(
            c.etcdWriter().orElseThrow(),
            EtcdWriter.GetStatus::new,
            Duration.ofSeconds(10),
            c.system().scheduler())
        .join();
  }

  private static Phase phase(NodeContext c, String tx) {
    return c.caster().status(tx).toCompletableFuture().join().phase();
  }

  @Test
  void aDecisionMissingFromTheOutboxIsCommittedAfterARestart() throws Exception {
    TestCluster.generateCerts(certs, 1);
    String prefix = "/requeue-" + System.nanoTime() + "/";
    String tx = "requeue-1";
    etcd.stop();
    try (TestCluster cluster =
        new TestCluster(certs, postgres.jdbcUrl(), 1, 1, Set.of())
            .with("mtls-voting.etcd.endpoints", etcd.endpoint().toString())
            .with("mtls-voting.etcd.prefix", prefix)
            .with("mtls-voting.etcd.startup-timeout", "2s")) {
      NodeContext first = cluster.start(1).context();
      first.caster().castVote(tx, 7L).toCompletableFuture().join();
      await("the decision", () -> phase(first, tx) == Phase.THRESHOLD_REACHED);
      await("the decision in the audit trail", () -> auditState(tx).equals("THRESHOLD_REACHED"));
      await(
          "the commit journaled in the outbox",
          () -> {
            EtcdWriter.Status s = outbox(first);
            return s.pending() == 1 && s.unjournaled() == 0;
          });
      cluster.stop(1);

      // The state a crash right after the tally's write leaves: no outbox entry for the decision.
      String outboxId = "'node-1|etcd-outbox'";
      postgres.execute("DELETE FROM event_journal WHERE persistence_id = " + outboxId);
      postgres.execute("DELETE FROM event_journal_highest WHERE persistence_id = " + outboxId);
      postgres.execute("DELETE FROM snapshot WHERE persistence_id = " + outboxId);

      etcd.start();
      NodeContext second = cluster.start(1).context();
      await("the commit after the restart", () -> phase(second, tx) == Phase.COMMITTED);
      TallyState after = second.caster().status(tx).toCompletableFuture().join();
      assertEquals(7L, after.certificate().value());
      try (EtcdCoordinator c =
          EtcdCoordinator.connect(
              EtcdSettings.fromConfig(
                      cluster.config(1).getConfig("mtls-voting.etcd"), "mtls-voting")
                  .orElseThrow())) {
        String qc = c.getConsensus(tx).get().orElseThrow();
        assertTrue(qc.contains("\"7\"") || qc.contains(":7"), qc);
      }
      await("the commit in the audit trail", () -> auditState(tx).equals("COMMITTED"));
    }
  }
}
