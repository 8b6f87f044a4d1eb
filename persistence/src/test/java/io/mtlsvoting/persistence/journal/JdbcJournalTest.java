package io.mtlsvoting.persistence.journal;

import static io.mtlsvoting.persistence.journal.JournalHarness.atomic;
import static io.mtlsvoting.persistence.journal.JournalHarness.events;
import static io.mtlsvoting.persistence.journal.JournalHarness.repr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The journal contract (as Pekko's TCK checks it) against a real PostgreSQL. */
class JdbcJournalTest {

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

  @Test
  void replaysRangesAndRespectsMax() {
    String pid = "node-1|tx-replay";
    harness.writeOk(events(pid, 1, 5));

    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), harness.replayAll(pid).sequenceNrs());
    assertEquals(List.of(2L, 3L, 4L), harness.replay(pid, 2, 4, Long.MAX_VALUE).sequenceNrs());
    assertEquals(List.of(2L, 3L), harness.replay(pid, 2, 5, 2).sequenceNrs());
    assertEquals(List.of(), harness.replay(pid, 1, 5, 0).sequenceNrs());
    assertEquals(List.of(), harness.replay(pid, 6, 10, Long.MAX_VALUE).sequenceNrs());
    JournalHarness.Replay all = harness.replay(pid, 3, 3, 10);
    assertEquals(List.of(3L), all.sequenceNrs());
    assertEquals(5L, all.highestSequenceNr());

    PersistentRepr third = all.events().get(0);
    assertEquals(new TestEvent(pid + "-3"), third.payload());
    assertEquals(pid, third.persistenceId());
    assertEquals("writer-1", third.writerUuid());
    assertTrue(third.timestamp() > 0);
    assertEquals(0L, harness.replayAll("node-1|tx-unknown").highestSequenceNr());
  }

  @Test
  void deletesHideEventsFromReplayButKeepThemForProjection() throws SQLException {
    String pid = "node-1|tx-delete";
    harness.writeOk(events(pid, 1, 5));

    harness.deleteTo(pid, 3);

    assertEquals(List.of(4L, 5L), harness.replayAll(pid).sequenceNrs());
    List<JournalRow> rows =
        new JournalReader(postgres.dataSource())
            .eventsAfter(0, 10_000).stream().filter(r -> r.persistenceId().equals(pid)).toList();
    assertEquals(5, rows.size());
    assertEquals(
        List.of(true, true, true, false, false), rows.stream().map(JournalRow::deleted).toList());
  }

  @Test
  void highestSequenceNrIsNeverLoweredByDeletes() {
    String pid = "node-2|tx-highest";
    harness.writeOk(events(pid, 1, 3));

    harness.deleteTo(pid, 3);
    assertEquals(3L, harness.replayAll(pid).highestSequenceNr());
    assertEquals(List.of(), harness.replayAll(pid).sequenceNrs());

    harness.deleteTo(pid, Long.MAX_VALUE);
    assertEquals(3L, harness.replayAll(pid).highestSequenceNr());

    // Even if a purge removed the rows, the remembered highest stays.
    postgres.execute("DELETE FROM event_journal WHERE persistence_id = '" + pid + "'");
    assertEquals(3L, harness.replayAll(pid).highestSequenceNr());
    harness.writeOk(events(pid, 4, 4));
    assertEquals(4L, harness.replayAll(pid).highestSequenceNr());
  }

  @Test
  void aDeletionReadsOnlyTheEventsAfterThePreviousOne() throws Exception {
    String pid = "node-3|etcd-outbox-deletes";
    harness.writeOk(events(pid, 1, 1_000));
    harness.deleteTo(pid, 900);

    // The next deletion's scan, run and rolled back: it reads events 901..950, not the 900
    // already marked (which the scan used to walk and filter out, more at every deletion).
    assertEquals(50, rowsReadByMark(pid, 950));

    harness.deleteTo(pid, 950);
    assertEquals(List.of(951L), harness.replayAll(pid).sequenceNrs().subList(0, 1));
    List<JournalRow> rows =
        new JournalReader(postgres.dataSource())
            .eventsAfter(0, 100_000).stream().filter(r -> r.persistenceId().equals(pid)).toList();
    assertEquals(1_000, rows.size());
    assertTrue(rows.stream().allMatch(r -> r.deleted() == (r.sequenceNr() <= 950)));
    // A deletion below the previous one changes nothing.
    harness.deleteTo(pid, 10);
    assertEquals(951L, harness.replayAll(pid).sequenceNrs().get(0));
    assertEquals(1_000L, harness.replayAll(pid).highestSequenceNr());
  }

  /** Rows of event_journal the deletion's UPDATE reads (returned plus filtered out), by EXPLAIN. */
  private static long rowsReadByMark(String pid, long toSequenceNr) throws Exception {
    try (Connection c = postgres.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try (var st = c.createStatement()) {
        // The primary key, as on a production-sized journal (this one is too small to need it).
        st.execute("SET LOCAL enable_seqscan = off");
        st.execute("SET LOCAL enable_bitmapscan = off");
      }
      try (PreparedStatement ps =
          c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + JournalDao.MARK_DELETED)) {
        ps.setString(1, pid);
        ps.setString(2, pid);
        ps.setLong(3, toSequenceNr);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          JsonNode plan = new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
          return journalScan(plan)
              .map(n -> n.get("Actual Rows").asLong() + n.path("Rows Removed by Filter").asLong())
              .orElseThrow(() -> new AssertionError("no scan of event_journal in " + plan));
        }
      } finally {
        c.rollback();
      }
    }
  }

  private static Optional<JsonNode> journalScan(JsonNode node) {
    if ("event_journal".equals(node.path("Relation Name").asText())
        && node.path("Node Type").asText().contains("Scan")) {
      return Optional.of(node);
    }
    for (JsonNode child : node.path("Plans")) {
      Optional<JsonNode> found = journalScan(child);
      if (found.isPresent()) {
        return found;
      }
    }
    return Optional.empty();
  }

  @Test
  void nonSerializableEventIsRejectedAloneWhileOthersSucceed() {
    String good1 = "node-1|tx-good1";
    String bad = "node-1|tx-bad";
    String good2 = "node-1|tx-good2";
    List<Object> replies =
        harness.write(
            List.of(
                atomic(repr(good1, 1, new TestEvent("a"))),
                atomic(repr(bad, 1, new TestEvent("b")), repr(bad, 2, new NotBound("x"))),
                atomic(repr(good2, 1, new TestEvent("c")))));

    assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, replies.get(0));
    assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(1));
    assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(2));
    assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(3));
    assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(4));
    assertEquals(List.of(1L), harness.replayAll(good1).sequenceNrs());
    assertEquals(List.of(1L), harness.replayAll(good2).sequenceNrs());
    // The whole atomic write was rejected, including its serializable first event.
    assertEquals(List.of(), harness.replayAll(bad).sequenceNrs());
  }

  @Test
  void databaseErrorFailsTheWholeWriteAndTheJournalRecovers() {
    String pid1 = "node-3|tx-dberr1";
    String pid2 = "node-3|tx-dberr2";
    postgres.execute("ALTER TABLE event_journal RENAME TO event_journal_away");
    List<Object> replies;
    try {
      replies = harness.write(List.of(events(pid1, 1, 1).get(0), events(pid2, 1, 1).get(0)));
    } finally {
      postgres.execute("ALTER TABLE event_journal_away RENAME TO event_journal");
    }

    assertInstanceOf(JournalProtocol.WriteMessagesFailed.class, replies.get(0));
    assertInstanceOf(JournalProtocol.WriteMessageFailure.class, replies.get(1));
    assertInstanceOf(JournalProtocol.WriteMessageFailure.class, replies.get(2));

    harness.writeOk(events(pid1, 1, 2));
    assertEquals(List.of(1L, 2L), harness.replayAll(pid1).sequenceNrs());
  }

  @Test
  void keepsPerIdOrderUnderConcurrentWritersFromManyIds() throws SQLException {
    int ids = 50;
    int perId = 40;
    // Each id's writes are sent in order by its own thread; the journal batches across ids.
    IntStream.range(0, ids)
        .parallel()
        .forEach(
            i -> {
              String pid = "node-4|tx-" + i;
              for (long seq = 1; seq <= perId; seq++) {
                harness.send(events(pid, seq, seq));
              }
            });
    int successes = 0;
    for (int i = 0; i < ids * perId * 2; i++) {
      Object reply = harness.probe.expectMsgClass(Object.class);
      if (reply instanceof JournalProtocol.WriteMessageSuccess) {
        successes++;
      } else {
        assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, reply);
      }
    }
    assertEquals(ids * perId, successes);

    List<Long> expected = LongStream.rangeClosed(1, perId).boxed().toList();
    Map<String, List<Long>> seqByOrdering = new HashMap<>();
    for (JournalRow row : new JournalReader(postgres.dataSource()).eventsAfter(0, 100_000)) {
      if (row.persistenceId().startsWith("node-4|")) {
        seqByOrdering
            .computeIfAbsent(row.persistenceId(), k -> new ArrayList<>())
            .add(row.sequenceNr());
      }
    }
    for (int i = 0; i < ids; i++) {
      String pid = "node-4|tx-" + i;
      assertEquals(expected, harness.replayAll(pid).sequenceNrs(), pid);
      // Global ordering follows each id's sequence numbers: writes were committed in order.
      assertEquals(expected, seqByOrdering.get(pid), pid);
    }
  }

  @Test
  void taggedEventsAreUnwrappedAndTheirTagsStored() throws SQLException {
    String pid = "node-5|tx-tagged";
    harness.writeOk(
        List.of(atomic(repr(pid, 1, new Tagged(new TestEvent("t"), Set.of("vote", "tx"))))));

    assertEquals(new TestEvent("t"), harness.replayAll(pid).events().get(0).payload());
    try (Connection c = postgres.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT tags, serializer_id, manifest FROM event_journal WHERE persistence_id = ?")) {
      ps.setString(1, pid);
      try (ResultSet rs = ps.executeQuery()) {
        assertTrue(rs.next());
        Array tags = rs.getArray(1);
        String[] sorted = ((String[]) tags.getArray()).clone();
        java.util.Arrays.sort(sorted);
        assertArrayEquals(new String[] {"tx", "vote"}, sorted);
        assertTrue(rs.getInt(2) != 0);
        assertEquals(TestEvent.class.getName(), rs.getString(3));
      }
    }
  }

  @Test
  void readerPagesThroughTheGlobalOrdering() throws SQLException {
    String pid = "node-6|tx-reader";
    harness.writeOk(events(pid, 1, 3));
    JournalReader reader = new JournalReader(postgres.dataSource());
    List<JournalRow> mine =
        reader.eventsAfter(0, 100_000).stream().filter(r -> r.persistenceId().equals(pid)).toList();
    assertEquals(3, mine.size());

    List<JournalRow> afterFirst = reader.eventsAfter(mine.get(0).ordering(), 2);
    assertEquals(2, afterFirst.size());
    assertTrue(afterFirst.get(0).ordering() > mine.get(0).ordering());
    assertTrue(afterFirst.get(1).ordering() > afterFirst.get(0).ordering());
  }

  /** An event with no serializer binding (and not java.io.Serializable). */
  record NotBound(String value) {}
}
