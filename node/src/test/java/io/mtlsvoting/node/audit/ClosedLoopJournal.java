package io.mtlsvoting.node.audit;

import io.mtlsvoting.node.etcd.CoordinationJson;
import io.mtlsvoting.node.etcd.OutboxEvent;
import io.mtlsvoting.node.tally.ReputationEvent;
import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.sql.DataSource;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializers;

/**
 * Writes the journals of {@code nodes} nodes straight into event_journal, as a closed loop with
 * {@code inFlight} txs in flight leaves them: per decided tx and node Opened, one VoteCounted per
 * node, ThresholdReached and Committed under the tally's persistence id, CommitQueued and
 * CommitDone under the etcd outbox's, and for every {@code minorityEvery}-th tx (0: none) the last
 * node's dissent: MinorityVoteDetected and a ScoreChanged of the ban registry. Each node's events
 * keep their order, the nodes' interleave at random. Deterministic for a seed and start time.
 */
final class ClosedLoopJournal {

  private final DataSource ds;
  private final Serialization serialization;
  private final int nodes;
  private final int inFlight;
  private final int minorityEvery;
  private final Random random;
  private final long startMillis;
  private final long[] outboxSeq;
  private final long[] reputationSeq;
  private final long[] scoreMillis;
  private long rows;

  ClosedLoopJournal(
      DataSource ds,
      Serialization serialization,
      int nodes,
      int inFlight,
      int minorityEvery,
      long seed,
      long startMillis) {
    this.ds = ds;
    this.serialization = serialization;
    this.nodes = nodes;
    this.inFlight = inFlight;
    this.minorityEvery = minorityEvery;
    this.random = new Random(seed);
    this.startMillis = startMillis;
    this.outboxSeq = new long[nodes];
    this.reputationSeq = new long[nodes];
    this.scoreMillis = new long[nodes];
    Arrays.fill(scoreMillis, 1000);
  }

  /** Where an event is journaled. */
  private enum Journal {
    TALLY,
    OUTBOX,
    REPUTATION
  }

  private record Row(Journal journal, Object event) {}

  /** One tx: each node's rows in order, every node's cursor advancing on its own. */
  private final class Tx {
    final String txId;
    final List<List<Row>> rows = new ArrayList<>();
    final int[] cursor = new int[nodes];
    final int[] sequenceNr = new int[nodes];
    int left;

    Tx(String txId, long index) {
      this.txId = txId;
      long value = index;
      long openedAt = startMillis + index * 10;
      boolean minority = minorityEvery > 0 && index % minorityEvery == 0;
      List<Vote> votes = new ArrayList<>();
      for (int node = 1; node <= nodes; node++) {
        byte[] signature = new byte[64];
        signature[0] = (byte) node;
        signature[1] = (byte) txId.hashCode();
        long voted = minority && node == nodes ? value + 1 : value;
        votes.add(new Vote(txId, node, voted, openedAt + node, signature));
      }
      QuorumCertificate qc =
          new QuorumCertificate("closed-loop", txId, value, votes.subList(0, nodes - 1));
      for (int node = 0; node < nodes; node++) {
        List<Row> mine = new ArrayList<>();
        mine.add(new Row(Journal.TALLY, new TallyEvent.Opened(txId, openedAt, openedAt + 30_000)));
        votes.forEach(v -> mine.add(new Row(Journal.TALLY, new TallyEvent.VoteCounted(txId, v))));
        mine.add(new Row(Journal.TALLY, new TallyEvent.ThresholdReached(txId, qc)));
        if (minority) {
          Vote dissent = votes.get(nodes - 1);
          mine.add(
              new Row(
                  Journal.TALLY, new TallyEvent.MinorityVoteDetected(txId, nodes, dissent, value)));
          scoreMillis[node] = Math.max(0, scoreMillis[node] - 100);
          mine.add(
              new Row(
                  Journal.REPUTATION,
                  new ReputationEvent.ScoreChanged(
                      nodes, ViolationType.MINORITY_VOTE, txId, scoreMillis[node])));
        }
        mine.add(
            new Row(
                Journal.OUTBOX,
                new OutboxEvent.CommitQueued(txId, CoordinationJson.certificate(qc), value)));
        mine.add(new Row(Journal.TALLY, new TallyEvent.Committed(txId, value)));
        mine.add(
            new Row(
                Journal.OUTBOX, new OutboxEvent.CommitDone(txId, OutboxEvent.Result.COMMITTED)));
        rows.add(mine);
        left += mine.size();
      }
    }
  }

  /** Journals {@code txs} txs named {@code prefix-<n>}, 1000 rows per database transaction. */
  void journal(String prefix, int txs) throws SQLException {
    List<Tx> active = new ArrayList<>();
    int started = 0;
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO event_journal (persistence_id, sequence_nr, writer,"
                    + " write_timestamp, serializer_id, manifest, payload)"
                    + " VALUES (?, ?, 'closed-loop', ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      int pending = 0;
      while (started < txs || !active.isEmpty()) {
        while (active.size() < inFlight && started < txs) {
          active.add(new Tx(prefix + "-" + started, started));
          started++;
        }
        Tx tx = active.get(random.nextInt(active.size()));
        int node;
        do {
          node = random.nextInt(nodes);
        } while (tx.cursor[node] == tx.rows.get(node).size());
        Row row = tx.rows.get(node).get(tx.cursor[node]++);
        if (--tx.left == 0) {
          active.remove(tx);
        }
        String self = "node-" + (node + 1) + "|";
        switch (row.journal()) {
          case TALLY -> {
            ps.setString(1, self + "tx-" + tx.txId);
            ps.setLong(2, ++tx.sequenceNr[node]);
          }
          case OUTBOX -> {
            ps.setString(1, self + "etcd-outbox");
            ps.setLong(2, ++outboxSeq[node]);
          }
          case REPUTATION -> {
            ps.setString(1, self + "reputation");
            ps.setLong(2, ++reputationSeq[node]);
          }
        }
        var serializer = serialization.findSerializerFor(row.event());
        ps.setLong(3, startMillis + rows++);
        ps.setInt(4, serializer.identifier());
        ps.setString(5, Serializers.manifestFor(serializer, row.event()));
        ps.setBytes(6, serialization.serialize(row.event()).get());
        ps.addBatch();
        if (++pending == 1000) {
          ps.executeBatch();
          c.commit();
          pending = 0;
        }
      }
      ps.executeBatch();
      c.commit();
    }
  }
}
