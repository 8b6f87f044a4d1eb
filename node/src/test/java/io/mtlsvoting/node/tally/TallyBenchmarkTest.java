package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteVerifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prints (does not assert) tally decisions per second of the pure path on one thread. */
class TallyBenchmarkTest {
  @Test
  void printDecisionsPerSecond() {
    TestMembers keys = new TestMembers("bench", 5, 3);
    TallyRules rules = new TallyRules(Membership.of("bench", 1, 5, 4), 30_000);
    int txs = Integer.getInteger("bench.txs", 1000);
    List<List<Vote>> votes = new ArrayList<>();
    for (int i = 0; i < txs; i++) {
      List<Vote> tx = new ArrayList<>();
      for (int n = 1; n <= 5; n++) {
        tx.add(keys.vote("b-" + i, n, 42));
      }
      votes.add(tx);
    }
    run(rules, votes, null, keys);
    run(rules, votes.subList(0, txs / 4), "bench", keys);
    long t0 = System.nanoTime();
    int decided = run(rules, votes, null, keys);
    double pure = decided / ((System.nanoTime() - t0) / 1e9);
    long t1 = System.nanoTime();
    int decided2 = run(rules, votes, "bench", keys);
    double verified = decided2 / ((System.nanoTime() - t1) / 1e9);
    assertEquals(txs, decided);
    assertEquals(txs, decided2);
    System.out.printf(
        "tally benchmark (n=5, t=4, 5 votes/tx, one thread): %.0f decisions/s without"
            + " verification, %.0f decisions/s with Ed25519 verification%n",
        pure, verified);
  }

  private static int run(
      TallyRules rules, List<List<Vote>> votes, String verifyCluster, TestMembers keys) {
    int decided = 0;
    for (List<Vote> tx : votes) {
      TallyState s = TallyState.empty(tx.get(0).txId());
      for (Vote v : tx) {
        if (verifyCluster != null) {
          VoteVerifier verifier = keys.verifiers.get(v.nodeId());
          if (!verifier.verify(verifyCluster, v)) {
            throw new AssertionError("bad signature");
          }
        }
        s = TallyRules.applyAll(s, rules.onVote(s, v, 0, id -> false).events());
      }
      if (s.phase() == Phase.THRESHOLD_REACHED) {
        decided++;
      }
    }
    return decided;
  }
}
