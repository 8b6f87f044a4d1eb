package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.config.LoopbackPorts;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/** The database's commit floor, measured on a real PostgreSQL server. */
class CommitFloorTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @Test
  void everyCommitIsTimedAndTheServersDurabilityIsReported() throws Exception {
    CommitFloor.Result r = CommitFloor.measure(postgres.dataSource(), 50);
    assertEquals(50, r.commits());
    assertEquals(50, r.latency().samples(), r.toString());
    assertTrue(r.latency().p50Ms() > 0, r.toString());
    assertTrue(r.latency().p50Ms() <= r.latency().p99Ms(), r.toString());
    assertTrue(r.latency().p99Ms() <= r.latency().maxMs(), r.toString());
    // The test server runs as the nodes' does: fsync and synchronous_commit on.
    assertEquals("on", r.fsync());
    assertEquals("on", r.synchronousCommit());
    assertTrue(r.durable());
  }

  @Test
  void itsTableIsGoneAfterwardsAndALeftoverOneIsReplaced() throws Exception {
    postgres.execute("CREATE TABLE " + CommitFloor.TABLE + " (something_else text)");
    CommitFloor.Result r = CommitFloor.measure(postgres.dataSource(), 5);
    assertEquals(5, r.latency().samples());
    assertNull(postgres.queryString("SELECT to_regclass('" + CommitFloor.TABLE + "')"));
  }

  @Test
  void noJournalRowIsWritten() throws Exception {
    String before = postgres.queryString("SELECT count(*) FROM event_journal");
    CommitFloor.measure(postgres.dataSource(), 5);
    assertEquals(before, postgres.queryString("SELECT count(*) FROM event_journal"));
  }

  @Test
  void fewerThanOneCommitIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> CommitFloor.measure(postgres.dataSource(), 0));
    assertEquals("commits must be >= 1, got 0", e.getMessage());
  }

  @Test
  void aDatabaseThatCannotBeReachedIsAnSqlException() {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setUrl("jdbc:postgresql://127.0.0.1:" + LoopbackPorts.free() + "/postgres");
    nowhere.setConnectTimeout(2);
    SQLException e = assertThrows(SQLException.class, () -> CommitFloor.measure(nowhere, 5));
    assertTrue(e.getMessage().contains("Connection"), e.getMessage());
  }

  @Test
  void aCommitThatDoesNotWaitForTheDiskIsNotDurable() {
    LatencyHistogram.Summary s = new LatencyHistogram.Summary(1, 1, 1, 1, 1);
    assertFalse(new CommitFloor.Result(1, s, "off", "on").durable());
    assertFalse(new CommitFloor.Result(1, s, "on", "off").durable());
    assertTrue(new CommitFloor.Result(1, s, "on", "local").durable());
    assertTrue(new CommitFloor.Result(1, s, "on", "remote_apply").durable());
  }
}
