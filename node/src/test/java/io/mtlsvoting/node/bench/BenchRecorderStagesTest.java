package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recorder splits a decision into stages from the events the nodes report (pure logic). */
class BenchRecorderStagesTest {

  private static final long MS = 1_000_000L;

  private static Vote vote(int node) {
    return new Vote("tx-1", node, 7, 0, new byte[64]);
  }

  private static QuorumCertificate qc(int... nodes) {
    List<Vote> votes =
        java.util.Arrays.stream(nodes).mapToObj(BenchRecorderStagesTest::vote).toList();
    return new QuorumCertificate("c", "tx-1", 7, votes);
  }

  private static long p50(LatencyHistogram h) {
    return h.percentileMicros(50) / 1000;
  }

  @Test
  void ownVoteWireAndDecisionWriteAreTimedFromTheEventsAtEachNode() {
    BenchRecorder r = new BenchRecorder(List.of(1, 2, 3));
    r.begin("tx-1");
    for (int id = 1; id <= 3; id++) {
      r.cast("tx-1", id, 100 * MS);
    }
    // Node 1 journals its own vote 20 ms after the cast; node 2 its own after 40 ms.
    r.onEvent(1, new TallyEvent.VoteCounted("tx-1", vote(1)), 120 * MS);
    r.onEvent(2, new TallyEvent.VoteCounted("tx-1", vote(2)), 140 * MS);
    // Node 1's vote is verified at node 2 at 125 ms (5 ms on the wire), a repeat later is ignored.
    r.onPropagated(2, vote(1), 125 * MS);
    r.onPropagated(2, vote(1), 190 * MS);
    // Node 2 decides with {1, 2}: the last of them (its own) arrived at 140 ms; journaled at 143.
    r.onEvent(2, new TallyEvent.ThresholdReached("tx-1", qc(1, 2)), 143 * MS);

    assertEquals(2, r.ownVoteJournaled.count());
    assertEquals(20, r.ownVoteJournaled.percentileMicros(0) / 1000);
    assertEquals(40, r.ownVoteJournaled.percentileMicros(100) / 1000);
    assertEquals(2, r.wire.count());
    assertEquals(5, r.wire.percentileMicros(0) / 1000);
    assertEquals(1, r.decisionJournaled.count());
    assertEquals(3, p50(r.decisionJournaled));
    assertEquals(43, p50(r.decision));
  }

  @Test
  void aDecisionWhoseVotesWereNotSeenArrivingIsNotTimed() {
    BenchRecorder r = new BenchRecorder(List.of(1, 2, 3));
    r.begin("tx-1");
    r.cast("tx-1", 3, 100 * MS);
    r.onEvent(3, new TallyEvent.VoteCounted("tx-1", vote(3)), 110 * MS);
    // Node 1's vote reached node 3 unseen (for instance before the reset): no decision stage.
    r.onEvent(3, new TallyEvent.ThresholdReached("tx-1", qc(1, 3)), 130 * MS);
    assertEquals(0, r.decisionJournaled.count());
    assertEquals(1, r.decision.count());
  }

  @Test
  void aVoteVerifiedBeforeItsJournalingWasSeenHasNoWireTime() {
    BenchRecorder r = new BenchRecorder(List.of(1, 2));
    r.begin("tx-1");
    r.cast("tx-1", 1, 100 * MS);
    r.onPropagated(2, vote(1), 130 * MS);
    assertEquals(0, r.wire.count());
    assertEquals(1, r.propagation.count());
  }

  @Test
  void commitAfterDecisionIsTimedFromEachNodesOwnDecision() {
    BenchRecorder r = new BenchRecorder(List.of(1, 2, 3));
    r.expectCommits(true);
    r.begin("tx-1");
    r.cast("tx-1", 1, 100 * MS);
    r.onEvent(1, new TallyEvent.ThresholdReached("tx-1", qc(1, 2)), 110 * MS);
    r.onEvent(2, new TallyEvent.ThresholdReached("tx-1", qc(1, 2)), 130 * MS);
    // Node 1 commits 7 ms after its decision, node 2 12 ms after its own (not node 1's).
    r.onEvent(1, new TallyEvent.Committed("tx-1", 7), 117 * MS);
    r.onEvent(2, new TallyEvent.Committed("tx-1", 7), 142 * MS);
    // Node 3 commits without its decision having been seen: not timed.
    r.onEvent(3, new TallyEvent.Committed("tx-1", 7), 150 * MS);

    assertEquals(2, r.committedAfterDecision.count());
    assertEquals(7, r.committedAfterDecision.percentileMicros(0) / 1000);
    assertEquals(12, r.committedAfterDecision.percentileMicros(100) / 1000);
    assertEquals(3, r.commit.count());
  }

  @Test
  void decisionsAndCommitsReportedFromOutsideHaveNoCommitStage() {
    // A remote driver sees decisions and commits through replies and polls, not journal events.
    BenchRecorder r = new BenchRecorder(List.of(1, 2));
    r.expectCommits(true);
    r.begin("tx-1");
    r.cast("tx-1", 1, 100 * MS);
    r.decided(1, "tx-1", 110 * MS);
    r.committed(1, "tx-1", 300 * MS);
    assertEquals(0, r.committedAfterDecision.count());
    assertEquals(1, r.commit.count());
  }
}
