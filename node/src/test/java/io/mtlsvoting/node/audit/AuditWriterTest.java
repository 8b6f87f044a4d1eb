package io.mtlsvoting.node.audit;

import static io.mtlsvoting.node.audit.AuditQueries.count;
import static io.mtlsvoting.node.audit.AuditQueries.query;
import static io.mtlsvoting.node.audit.AuditQueries.text;
import static io.mtlsvoting.node.audit.AuditTestNode.await;
import static io.mtlsvoting.node.audit.AuditTestNode.vote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyRules;
import io.mtlsvoting.persistence.audit.AuditRepository;
import io.mtlsvoting.persistence.audit.TransactionEntry;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.Vote;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real tallies journal through the JDBC journal and the node's audit writer projects them: the
 * audit tables say what the tallies decided and detected, a crash between journal and audit write
 * loses and duplicates nothing, and re-projecting from scratch changes nothing.
 */
class AuditWriterTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  /** Threshold with a late minority vote, a commit, and a double vote in another tx. */
  static void runScenario(AuditTestNode node, String prefix) {
    String agree = prefix + "-agree";
    String dbl = prefix + "-double";
    for (int i = 1; i <= 3; i++) {
      node.deliver(vote(agree, i, 7));
    }
    node.deliver(vote(agree, 4, 9));
    node.awaitTally(agree, s -> s.votes().size() == 4 && s.phase() == Phase.THRESHOLD_REACHED);
    assertEquals(TallyRules.CommitOutcome.COMMITTED, node.commit(agree, 7).outcome());
    node.deliver(vote(dbl, 2, 5));
    node.deliver(vote(dbl, 2, 6));
    node.awaitTally(dbl, s -> s.excluded().contains(2));
  }

  @Test
  void projectsDecisionsViolationsAndReputation() throws SQLException {
    try (AuditTestNode node = new AuditTestNode(postgres, 1)) {
      ActorRef<AuditWriter.Command> writer = node.startAuditWriter(ProjectionFaults.NONE);
      runScenario(node, "p");
      await(
          "node 2 banned in the audit trail",
          () ->
              count(
                      postgres,
                      "SELECT count(*) FROM reputation_scores WHERE observed_by = 1 AND node_id = 2 AND banned")
                  == 1);
      await(
          "committed tx in the audit trail",
          () ->
              count(
                      postgres,
                      "SELECT count(*) FROM transactions WHERE observed_by = 1 AND state = 'COMMITTED'")
                  == 1);
      await(
          "minority penalty",
          () ->
              count(
                      postgres,
                      "SELECT count(*) FROM reputation_scores WHERE observed_by = 1 AND node_id = 4 AND score < 1")
                  == 1);

      AuditRepository repo = AuditRepository.create(node.dataSource());
      TransactionEntry agreed = repo.transaction(1, "p-agree").orElseThrow();
      assertEquals("COMMITTED", agreed.state());
      assertEquals(7, agreed.value());
      assertEquals(4, agreed.voteCount());
      assertEquals(
          3L,
          count(
              postgres,
              "SELECT jsonb_array_length(quorum_certificate->'votes') FROM transactions"
                  + " WHERE observed_by = 1 AND tx_id = 'p-agree'"));
      assertTrue(agreed.decidedAt() != null && agreed.committedAt() != null);

      Map<String, Object> minority =
          query(
                  postgres,
                  "SELECT node_id, evidence->>'decidedValue' AS decided FROM byzantine_violations"
                      + " WHERE tx_id = 'p-agree' AND violation_type = 'MINORITY_VOTE'")
              .get(0);
      assertEquals(Map.of("node_id", 4, "decided", "7"), minority);

      Vote first = vote("p-double", 2, 5);
      Vote second = vote("p-double", 2, 6);
      Map<String, Object> dbl =
          query(
                  postgres,
                  "SELECT node_id, detected_by, evidence->'first'->>'signature' AS s1,"
                      + " evidence->'second'->>'signature' AS s2 FROM byzantine_violations"
                      + " WHERE tx_id = 'p-double' AND violation_type = 'DOUBLE_VOTING'")
              .get(0);
      assertEquals(2, dbl.get("node_id"));
      assertEquals(1, dbl.get("detected_by"));
      assertEquals(HexFormat.of().formatHex(first.signature()), dbl.get("s1"));
      assertEquals(HexFormat.of().formatHex(second.signature()), dbl.get("s2"));
      // Both signed votes are in the vote history; only the first counted.
      assertEquals(
          "t,f",
          text(
                  postgres,
                  "SELECT string_agg(counted::text, ',' ORDER BY value) FROM vote_history"
                      + " WHERE tx_id = 'p-double' AND observed_by = 1")
              .replace("true", "t")
              .replace("false", "f"));

      Map<String, Object> rep2 =
          query(
                  postgres,
                  "SELECT total_votes, violations, banned FROM reputation_scores"
                      + " WHERE observed_by = 1 AND node_id = 2")
              .get(0);
      assertEquals(Map.of("total_votes", 2L, "violations", 1L, "banned", true), rep2);
      assertEquals(
          "0.9",
          text(
              postgres,
              "SELECT score::text FROM reputation_scores WHERE observed_by = 1 AND node_id = 4"));
      assertEquals(List.of("p-double"), repo.openTransactions(1));
      assertEquals(null, node.status(writer).lastError());
    }
  }

  @Test
  void crashBetweenJournalAndAuditWriteLosesAndDuplicatesNothing() throws SQLException {
    long journaled;
    try (AuditTestNode node = new AuditTestNode(postgres, 3)) {
      runScenario(node, "c");
      journaled = count(postgres, "SELECT max(ordering) FROM event_journal");
      AtomicInteger calls = new AtomicInteger();
      node.startAuditWriter(
          (rows, offset) -> {
            if (!rows.isEmpty() && calls.getAndIncrement() == 0) {
              // The node dies after reading the journal and before writing the audit rows.
              node.kit.system().terminate();
              throw new IllegalStateException("crash before the audit write");
            }
          });
      node.kit.system().getWhenTerminated().toCompletableFuture().join();
      assertEquals(1, calls.get());
    }
    assertEquals(0L, count(postgres, "SELECT count(*) FROM votes WHERE observed_by = 3"));
    assertEquals(
        0L,
        count(
            postgres,
            "SELECT count(*) FROM projection_offset WHERE projection_name = 'audit-node-3'"));

    // After the restart a writer that fails twice more, then succeeds, projects everything once.
    String expected;
    try (AuditTestNode node = new AuditTestNode(postgres, 3)) {
      AtomicInteger failures = new AtomicInteger();
      ActorRef<AuditWriter.Command> writer =
          node.startAuditWriter(
              (rows, offset) -> {
                if (failures.getAndIncrement() < 2) {
                  throw new IllegalStateException("transient failure");
                }
              });
      await("projection past the journal", () -> node.status(writer).watermark() >= journaled);
      expected = auditOf(3);
      assertEquals(
          1L,
          count(
              postgres,
              "SELECT count(*) FROM transactions WHERE observed_by = 3 AND tx_id = 'c-agree'"
                  + " AND state = 'COMMITTED' AND vote_count = 4"));
      assertEquals(
          2L,
          count(
              postgres,
              "SELECT total_votes FROM reputation_scores WHERE observed_by = 3 AND node_id = 2"));
      assertEquals(6L, count(postgres, "SELECT count(*) FROM votes WHERE observed_by = 3"));
      assertEquals(
          2L, count(postgres, "SELECT count(*) FROM byzantine_violations WHERE observed_by = 3"));
    }

    // Re-projecting the whole journal from ordering 0 leaves every table as it was.
    postgres.execute("DELETE FROM projection_offset WHERE projection_name = 'audit-node-3'");
    try (AuditTestNode node = new AuditTestNode(postgres, 3)) {
      ActorRef<AuditWriter.Command> writer = node.startAuditWriter(ProjectionFaults.NONE);
      await("re-projection past the journal", () -> node.status(writer).watermark() >= journaled);
      assertEquals(expected, auditOf(3));
    }
  }

  /** Every audit row of {@code observer} as text, without ids and write times. */
  static String auditOf(int observer) {
    String by = " WHERE observed_by = " + observer;
    return text(
        postgres,
        "SELECT string_agg(r, E'\\n' ORDER BY r) FROM ("
            + " SELECT concat_ws('|', 'v', tx_id, node_id, value, issued_at, encode(signature, 'hex'), counted) AS r FROM votes"
            + by
            + " UNION ALL SELECT concat_ws('|', 'x', tx_id, node_id, violation_type, evidence, detected_at) FROM byzantine_violations"
            + by
            + " UNION ALL SELECT concat_ws('|', 'r', node_id, score, total_votes, violations, banned, ban_reason, last_seen) FROM reputation_scores"
            + by
            + " UNION ALL SELECT concat_ws('|', 't', tx_id, state, value, vote_count, quorum_certificate, first_vote_at, deadline_at, decided_at, committed_at, outcome_reason) FROM transactions"
            + by
            + ") s");
  }
}
