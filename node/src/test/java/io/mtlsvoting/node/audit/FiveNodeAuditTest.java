package io.mtlsvoting.node.audit;

import static io.mtlsvoting.node.audit.AuditQueries.count;
import static io.mtlsvoting.node.audit.AuditQueries.query;
import static io.mtlsvoting.node.audit.AuditQueries.text;
import static io.mtlsvoting.node.audit.AuditTestNode.await;
import static io.mtlsvoting.node.audit.AuditTestNode.vote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.persistence.db.PostgresExtension;
import io.mtlsvoting.protocol.Vote;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Five nodes share one database, each with its own journal writes and audit projection: every
 * node's audit rows are its own and complete, and the double vote of node 3 appears once per
 * detecting node with both signed votes as evidence.
 */
class FiveNodeAuditTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final String TX = "tx-five";

  @Test
  void eachNodeProjectsItsOwnCompleteAuditTrail() {
    List<AuditTestNode> nodes = new ArrayList<>();
    try {
      List<ActorRef<AuditWriter.Command>> writers = new ArrayList<>();
      for (int id = 1; id <= 5; id++) {
        AuditTestNode node = new AuditTestNode(postgres, id);
        nodes.add(node);
        writers.add(node.startAuditWriter(ProjectionFaults.NONE));
      }
      Vote first = vote(TX, 3, 7);
      Vote second = vote(TX, 3, 8);
      List<Vote> votes =
          List.of(vote(TX, 1, 7), vote(TX, 2, 7), first, second, vote(TX, 4, 7), vote(TX, 5, 7));
      for (AuditTestNode node : nodes) {
        votes.forEach(node::deliver);
      }
      for (AuditTestNode node : nodes) {
        node.awaitTally(TX, s -> s.phase() == Phase.THRESHOLD_REACHED && s.votes().size() == 4);
      }
      // Bans and penalties are journaled by each node's ban registry after the tally events.
      await(
          "every node banned node 3 or is node 3",
          () ->
              count(postgres, "SELECT count(*) FROM reputation_scores WHERE node_id = 3 AND banned")
                  == 4);
      long journaled = count(postgres, "SELECT max(ordering) FROM event_journal");
      for (int i = 0; i < 5; i++) {
        AuditTestNode node = nodes.get(i);
        ActorRef<AuditWriter.Command> writer = writers.get(i);
        await(
            "node " + node.selfId + " projected",
            () -> node.status(writer).watermark() >= journaled);
      }

      List<Map<String, Object>> violations =
          query(
              postgres,
              "SELECT tx_id, node_id, violation_type, detected_by, evidence::text AS evidence"
                  + " FROM byzantine_violations WHERE tx_id = '"
                  + TX
                  + "' ORDER BY detected_by");
      System.out.println("SELECT * FROM byzantine_violations WHERE tx_id = '" + TX + "':");
      violations.forEach(v -> System.out.println("  " + v));
      System.out.println(
          "violation_detections: "
              + query(postgres, "SELECT * FROM violation_detections WHERE tx_id = '" + TX + "'"));

      String hex1 = HexFormat.of().formatHex(first.signature());
      String hex2 = HexFormat.of().formatHex(second.signature());
      assertEquals(
          "{1,2,3,4,5}",
          text(
              postgres,
              "SELECT detected_by::text FROM violation_detections WHERE tx_id = '"
                  + TX
                  + "'"
                  + " AND node_id = 3 AND violation_type = 'DOUBLE_VOTING'"));
      for (Map<String, Object> v : violations) {
        assertEquals(3, v.get("node_id"));
        assertEquals("DOUBLE_VOTING", v.get("violation_type"));
        String evidence = (String) v.get("evidence");
        assertTrue(evidence.contains(hex1) && evidence.contains(hex2), evidence);
      }

      // Each observer's rows are separate and the same story: 5 counted votes and the evidence.
      for (int by = 1; by <= 5; by++) {
        String where = " WHERE observed_by = " + by + " AND tx_id = '" + TX + "'";
        assertEquals(6L, count(postgres, "SELECT count(*) FROM votes" + where), "votes of " + by);
        assertEquals(5L, count(postgres, "SELECT count(*) FROM votes" + where + " AND counted"));
        assertEquals(
            "THRESHOLD_REACHED|7|5",
            text(
                postgres,
                "SELECT concat_ws('|', state, value, vote_count) FROM transactions" + where));
        assertEquals(
            5L,
            count(
                postgres,
                "SELECT count(*) FROM reputation_scores WHERE observed_by = "
                    + by
                    + " AND total_votes = 1"));
      }
      assertEquals(5L, count(postgres, "SELECT count(DISTINCT observed_by) FROM transactions"));
    } finally {
      nodes.forEach(AuditTestNode::close);
    }
  }
}
