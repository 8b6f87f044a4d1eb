package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.persistence.db.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A projection of some persistence ids reads every ordering but only the events of those ids, after
 * a position or at given orderings; prefixes are literal (no LIKE wildcards).
 */
class JournalReaderPageTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  static final List<String> NODE_1 = List.of("node-1|tx-", "node-1|reputation");

  @Test
  void readsEveryOrderingAndTheEventsOfTheWantedIds() throws SQLException {
    List<Long> o = new ArrayList<>();
    for (String pid :
        List.of(
            "node-1|tx-a",
            "node-2|tx-a",
            "node-1|etcd-outbox",
            "node-10|tx-a",
            "node-1|reputation",
            "node-1|tx-b")) {
      o.add(insert(pid, 1));
    }
    JournalReader reader = new JournalReader(postgres.dataSource());

    JournalReader.Page all = reader.eventsAfter(0, 100, NODE_1);
    assertEquals(o, all.orderings());
    assertEquals(
        List.of("node-1|tx-a", "node-1|reputation", "node-1|tx-b"),
        all.events().stream().map(JournalRow::persistenceId).toList());
    JournalRow first = all.events().get(0);
    assertEquals(o.get(0), first.ordering());
    assertEquals("m-node-1|tx-a", first.manifest());
    assertArrayEquals(new byte[] {1, 2, 3}, first.payload());
    assertEquals(1_000L + "node-1|tx-a".length(), first.writeTimestamp());

    JournalReader.Page afterTwo = reader.eventsAfter(o.get(1), 2, NODE_1);
    assertEquals(List.of(o.get(2), o.get(3)), afterTwo.orderings());
    assertEquals(List.of(), afterTwo.events());

    JournalReader.Page at = reader.eventsAt(List.of(o.get(4), o.get(1), 999_999L), NODE_1);
    assertEquals(List.of(o.get(1), o.get(4)), at.orderings());
    assertEquals(
        List.of("node-1|reputation"), at.events().stream().map(JournalRow::persistenceId).toList());
    assertEquals(List.of(), reader.eventsAt(List.of(), NODE_1).orderings());
  }

  @Test
  void prefixesAreLiteral() throws SQLException {
    long exact = insert("a_b%c\\d|1", 1);
    insert("axbyc\\d|1", 1);
    insert("a_b%cXd|1", 1);
    JournalReader.Page page =
        new JournalReader(postgres.dataSource()).eventsAfter(exact - 1, 100, List.of("a_b%c\\d|"));
    assertEquals(3, page.orderings().size());
    assertEquals(List.of(exact), page.events().stream().map(JournalRow::ordering).toList());
  }

  private static long insert(String pid, long seq) throws SQLException {
    try (Connection c = postgres.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO event_journal (persistence_id, sequence_nr, writer, write_timestamp,"
                    + " serializer_id, manifest, payload)"
                    + " VALUES (?, ?, 'test', ?, 7, ?, '\\x010203') RETURNING ordering")) {
      ps.setString(1, pid);
      ps.setLong(2, seq);
      ps.setLong(3, 1_000L + pid.length());
      ps.setString(4, "m-" + pid);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
