package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.audit.AuditRepository;
import io.mtlsvoting.persistence.audit.TransactionEntry;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node stopped and started again on the same PostgreSQL database gets its bans and its open
 * tallies back, and a tally that was collecting still times out at its original deadline without
 * any new vote touching it.
 */
class RestartRecoveryTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();
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

  private static Optional<TransactionEntry> auditRow(String tx) {
    try {
      return AuditRepository.create(postgres.dataSource()).transaction(1, tx);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void bansAndOpenTalliesSurviveARestartAndTheDeadlineIsTheOriginalOne() throws Exception {
    TestCluster.generateCerts(certs, 5);
    String tx = "restart-open-1";
    try (TestCluster cluster =
        new TestCluster(certs, postgres.jdbcUrl(), 5, 4, Set.of())
            .with("mtls-voting.vote-timeout", "6s")) {
      NodeContext first = cluster.start(1).context();
      var cast = first.caster().castVote(tx, 5L).toCompletableFuture().join();
      assertInstanceOf(VoteTally.CastAccepted.class, cast);
      TallyState before = ((VoteTally.CastAccepted) cast).state();
      assertEquals(Phase.COLLECTING, before.phase());
      first
          .banRegistry()
          .tell(new BanRegistry.Ban(3, ViolationType.DOUBLE_VOTING, "other-tx", "test ban"));
      await("the ban", () -> first.bans().test(3));
      await(
          "the open tally in the audit trail",
          () -> auditRow(tx).map(r -> r.state().equals("COLLECTING")).orElse(false));

      cluster.stop(1);
      NodeContext second = cluster.start(1).context();

      await("the ban after restart", () -> second.bans().test(3));
      // Nothing touches the tally: only the revival at start can make its deadline fire.
      await(
          "the timeout of the revived tally",
          () -> auditRow(tx).map(r -> r.state().equals("ABORTED_TIMEOUT")).orElse(false));
      TallyState after = second.caster().status(tx).toCompletableFuture().join();
      assertEquals(Phase.ABORTED_TIMEOUT, after.phase());
      assertEquals(before.deadline(), after.deadline(), "the original deadline");
      assertTrue(after.deadlineReached());
      assertTrue(
          after.violations().stream()
              .filter(v -> v.type() == ViolationType.SILENT_FAILURE)
              .map(v -> v.nodeId())
              .toList()
              .containsAll(java.util.List.of(2, 4, 5)),
          "silent members recorded: " + after.violations());
    }
  }
}
