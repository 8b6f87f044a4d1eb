package io.mtlsvoting.node.audit;

import static io.mtlsvoting.node.audit.AuditQueries.count;
import static io.mtlsvoting.node.audit.AuditTestNode.await;
import static io.mtlsvoting.node.audit.AuditTestNode.vote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Journal rows that commit after higher orderings are already projected (another writer's slow
 * transaction) are projected when they commit; rows that never commit are given up.
 */
class JournalGapTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @Test
  void lateCommitIsProjectedAndRollbackIsGivenUp() throws Exception {
    try (AuditTestNode node = new AuditTestNode(postgres, 2);
        Connection slow = postgres.dataSource().getConnection();
        Connection failed = postgres.dataSource().getConnection()) {
      ActorRef<AuditWriter.Command> writer = node.startAuditWriter(ProjectionFaults.NONE);
      slow.setAutoCommit(false);
      failed.setAutoCommit(false);
      long lateOrdering =
          insert(node, slow, "node-2|tx-late", new TallyEvent.Opened("late", 1_000L, 31_000L));
      long lostOrdering =
          insert(node, failed, "node-2|tx-lost", new TallyEvent.Opened("lost", 1_000L, 31_000L));

      node.deliver(vote("after", 1, 7));
      node.awaitTally("after", s -> s.votes().size() == 1);
      await(
          "rows after the gaps projected",
          () ->
              count(
                      postgres,
                      "SELECT count(*) FROM votes WHERE observed_by = 2 AND tx_id = 'after'")
                  == 1);
      AuditWriter.Status waiting = node.status(writer);
      assertTrue(waiting.watermark() < lateOrdering, waiting.toString());
      assertTrue(waiting.pendingGaps() >= 2, waiting.toString());

      failed.rollback();
      slow.commit();
      await(
          "late row projected",
          () ->
              count(
                      postgres,
                      "SELECT count(*) FROM transactions WHERE observed_by = 2 AND tx_id = 'late'")
                  == 1);
      await("gaps settled", () -> node.status(writer).pendingGaps() == 0);
      assertTrue(node.status(writer).watermark() > lostOrdering);
      assertEquals(
          0L,
          count(
              postgres,
              "SELECT count(*) FROM transactions WHERE observed_by = 2 AND tx_id = 'lost'"));
    }
  }

  /** Inserts one journal row in {@code c}'s open transaction and returns its ordering. */
  private static long insert(AuditTestNode node, Connection c, String pid, Object event)
      throws Exception {
    Serialization serialization = SerializationExtension.get(node.kit.system().classicSystem());
    var serializer = serialization.findSerializerFor(event);
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO event_journal (persistence_id, sequence_nr, writer, write_timestamp,"
                + " serializer_id, manifest, payload) VALUES (?, 1, 'test', ?, ?, ?, ?)"
                + " RETURNING ordering")) {
      ps.setString(1, pid);
      ps.setLong(2, System.currentTimeMillis());
      ps.setInt(3, serializer.identifier());
      ps.setString(4, Serializers.manifestFor(serializer, event));
      ps.setBytes(5, serialization.serialize(event).get());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
