package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.db.PostgresExtension;
import java.util.Optional;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import scala.jdk.javaapi.OptionConverters;

/** The snapshot store contract: save, load and delete by metadata and by criteria. */
class JdbcSnapshotStoreTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  private static JournalHarness harness;

  @BeforeAll
  static void start() {
    harness = new JournalHarness(JournalTestConfig.of(postgres));
  }

  @AfterAll
  static void stop() {
    harness.close();
  }

  /** Saves snapshots at sequence nrs 10, 20, 30, 40 with timestamps 1000, 2000, 3000, 4000. */
  private static void saveFour(String pid) {
    for (int i = 1; i <= 4; i++) {
      SnapshotMetadata md = SnapshotMetadata.apply(pid, i * 10L, 0L);
      harness.snapshotStore.tell(
          new SnapshotProtocol.SaveSnapshot(md, new TestEvent("s" + i)), harness.probe.getRef());
      SnapshotMetadata saved = harness.probe.expectMsgClass(SaveSnapshotSuccess.class).metadata();
      assertEquals(i * 10L, saved.sequenceNr());
      assertTrue(saved.timestamp() > 0);
    }
    // Pekko stamps snapshots with the wall clock on save; distinct times make the criteria
    // testable.
    postgres.execute(
        "UPDATE snapshot SET created = sequence_nr * 100 WHERE persistence_id = '" + pid + "'");
  }

  private static Optional<SelectedSnapshot> load(String pid, SnapshotSelectionCriteria criteria) {
    harness.snapshotStore.tell(
        new SnapshotProtocol.LoadSnapshot(pid, criteria, Long.MAX_VALUE), harness.probe.getRef());
    return OptionConverters.toJava(
        harness.probe.expectMsgClass(SnapshotProtocol.LoadSnapshotResult.class).snapshot());
  }

  private static long loadedSeq(String pid, SnapshotSelectionCriteria criteria) {
    return load(pid, criteria).map(s -> s.metadata().sequenceNr()).orElse(-1L);
  }

  @Test
  void loadsTheLatestSnapshotWithItsMetadataAndPayload() {
    String pid = "node-1|snap-latest";
    saveFour(pid);
    SelectedSnapshot latest = load(pid, SnapshotSelectionCriteria.latest()).orElseThrow();
    assertEquals(SnapshotMetadata.apply(pid, 40, 4000), latest.metadata());
    assertEquals(new TestEvent("s4"), latest.snapshot());
    assertTrue(load("node-1|snap-none", SnapshotSelectionCriteria.latest()).isEmpty());
  }

  @Test
  void selectsByEveryCriterion() {
    String pid = "node-1|snap-criteria";
    saveFour(pid);
    long max = Long.MAX_VALUE;
    assertEquals(30, loadedSeq(pid, SnapshotSelectionCriteria.create(35, max, 0, 0)));
    assertEquals(20, loadedSeq(pid, SnapshotSelectionCriteria.create(max, 2500, 0, 0)));
    assertEquals(-1, loadedSeq(pid, SnapshotSelectionCriteria.create(max, max, 41, 0)));
    assertEquals(40, loadedSeq(pid, SnapshotSelectionCriteria.create(max, max, 40, 0)));
    assertEquals(-1, loadedSeq(pid, SnapshotSelectionCriteria.create(30, max, 0, 3500)));
    assertEquals(30, loadedSeq(pid, SnapshotSelectionCriteria.create(30, max, 25, 2500)));
    assertEquals(-1, loadedSeq(pid, SnapshotSelectionCriteria.none()));
  }

  @Test
  void deletesOneSnapshotByMetadata() {
    String pid = "node-1|snap-delete-one";
    saveFour(pid);
    SnapshotMetadata md = SnapshotMetadata.apply(pid, 40, 4000);
    harness.snapshotStore.tell(new SnapshotProtocol.DeleteSnapshot(md), harness.probe.getRef());
    harness.probe.expectMsgClass(DeleteSnapshotSuccess.class);
    assertEquals(30, loadedSeq(pid, SnapshotSelectionCriteria.latest()));

    // A metadata without timestamp matches any creation time.
    harness.snapshotStore.tell(
        new SnapshotProtocol.DeleteSnapshot(SnapshotMetadata.apply(pid, 30, 0)),
        harness.probe.getRef());
    harness.probe.expectMsgClass(DeleteSnapshotSuccess.class);
    assertEquals(20, loadedSeq(pid, SnapshotSelectionCriteria.latest()));
  }

  @Test
  void deletesSnapshotsByCriteria() {
    String pid = "node-1|snap-delete-many";
    saveFour(pid);
    SnapshotSelectionCriteria upTo30 = SnapshotSelectionCriteria.create(30, Long.MAX_VALUE, 20, 0);
    harness.snapshotStore.tell(
        new SnapshotProtocol.DeleteSnapshots(pid, upTo30), harness.probe.getRef());
    harness.probe.expectMsgClass(DeleteSnapshotsSuccess.class);

    assertEquals(40, loadedSeq(pid, SnapshotSelectionCriteria.latest()));
    assertEquals(10, loadedSeq(pid, SnapshotSelectionCriteria.create(35, Long.MAX_VALUE, 0, 0)));
  }

  @Test
  void savingTheSameSequenceNrAgainReplacesTheSnapshot() {
    String pid = "node-1|snap-replace";
    SnapshotMetadata md = SnapshotMetadata.apply(pid, 5, 100);
    harness.snapshotStore.tell(
        new SnapshotProtocol.SaveSnapshot(md, new TestEvent("old")), harness.probe.getRef());
    harness.probe.expectMsgClass(SaveSnapshotSuccess.class);
    harness.snapshotStore.tell(
        new SnapshotProtocol.SaveSnapshot(
            SnapshotMetadata.apply(pid, 5, 200), new TestEvent("new")),
        harness.probe.getRef());
    harness.probe.expectMsgClass(SaveSnapshotSuccess.class);
    assertEquals(
        new TestEvent("new"),
        load(pid, SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
  }
}
