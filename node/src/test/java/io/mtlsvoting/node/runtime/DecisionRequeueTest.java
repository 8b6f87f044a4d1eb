package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.persistence.audit.AuditRepository;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import io.mtlsvoting.persistence.etcd.Poll;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
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

  private static final Duration WAIT = Duration.ofSeconds(60);

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
      Poll.until(WAIT, () -> assertEquals(Phase.THRESHOLD_REACHED, phase(first, tx)));
      Poll.until(WAIT, () -> assertEquals("THRESHOLD_REACHED", auditState(tx)));
      Poll.until(
          WAIT,
          () -> {
            // The commit is journaled in the outbox.
            EtcdWriter.Status s = outbox(first);
            assertEquals(1, s.pending(), s.toString());
            assertEquals(0, s.unjournaled(), s.toString());
          });
      cluster.stop(1);

      // The state a crash right after the tally's write leaves: no outbox entry for the decision.
      String outboxId = "'node-1|etcd-outbox'";
      postgres.execute("DELETE FROM event_journal WHERE persistence_id = " + outboxId);
      postgres.execute("DELETE FROM event_journal_highest WHERE persistence_id = " + outboxId);
      postgres.execute("DELETE FROM snapshot WHERE persistence_id = " + outboxId);

      etcd.start();
      NodeContext second = cluster.start(1).context();
      Poll.until(WAIT, () -> assertEquals(Phase.COMMITTED, phase(second, tx)));
      TallyState after = second.caster().status(tx).toCompletableFuture().join();
      assertEquals(7L, after.certificate().value());
      String qc = cluster.consensus(1, tx).orElseThrow();
      assertTrue(qc.contains("\"7\"") || qc.contains(":7"), qc);
      Poll.until(WAIT, () -> assertEquals("COMMITTED", auditState(tx)));
    }
  }
}
