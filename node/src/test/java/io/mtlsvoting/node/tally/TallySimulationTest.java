package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.protocol.Evidence;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.Vote;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded randomized simulation of the pure tally rules on every node of a cluster, with up to
 * 2t-n-1 equivocators, up to n-t silent nodes, split honest votes and random delivery orders.
 */
class TallySimulationTest {
  record Setup(int n, int t) {}

  static final List<Setup> SETUPS =
      List.of(new Setup(4, 3), new Setup(5, 4), new Setup(7, 5), new Setup(7, 6), new Setup(10, 7));
  static final TestMembers KEYS = new TestMembers("sim", 10, 7);

  record Delivery(int to, int from, Message message) {}

  @Test
  void honestNodesAgreeAndEveryProvableViolationIsDetected() {
    long seed = Long.getLong("sim.seed", System.nanoTime());
    int rounds = Integer.getInteger("sim.rounds", 2000);
    Random random = new Random(seed);
    for (int round = 0; round < rounds; round++) {
      try {
        runRound(random, round);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            "simulation failed in round " + round + "; rerun with -Dsim.seed=" + seed, e);
      }
    }
    System.out.println("simulation: " + rounds + " rounds passed, seed " + seed);
  }

  private void runRound(Random random, int round) {
    Setup setup = SETUPS.get(random.nextInt(SETUPS.size()));
    int n = setup.n();
    int t = setup.t();
    String tx = "sim-" + round;
    List<Integer> ids = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      ids.add(i);
    }
    java.util.Collections.shuffle(ids, random);
    int equivocators = random.nextInt(2 * t - n - 1 + 1);
    int silent = random.nextInt(n - t + 1);
    Set<Integer> eq = new HashSet<>(ids.subList(0, equivocators));
    Set<Integer> quiet = new HashSet<>(ids.subList(equivocators, equivocators + silent));
    long base = random.nextLong();
    boolean split = random.nextInt(5) == 0;

    Map<String, Vote> signed = new HashMap<>();
    List<Delivery> queue = new ArrayList<>();
    Map<Integer, Map<Integer, Set<Long>>> seenValues = new HashMap<>();
    for (int from = 1; from <= n; from++) {
      if (quiet.contains(from)) {
        continue;
      }
      long honestValue = split && random.nextBoolean() ? base + 1 : base;
      Vote honest = sign(signed, tx, from, honestValue);
      for (int to = 1; to <= n; to++) {
        List<Vote> votes = new ArrayList<>();
        if (eq.contains(from)) {
          int k = 1 + random.nextInt(2);
          for (int j = 0; j < k; j++) {
            votes.add(sign(signed, tx, from, base + random.nextInt(3)));
          }
        } else {
          votes.add(honest);
        }
        for (Vote v : votes) {
          queue.add(new Delivery(to, from, v));
        }
      }
    }
    java.util.Collections.shuffle(queue, random);

    Map<Integer, TallyRules> rules = new HashMap<>();
    Map<Integer, TallyState> states = new HashMap<>();
    Map<Integer, Set<Integer>> banned = new HashMap<>();
    for (int i = 1; i <= n; i++) {
      rules.put(i, new TallyRules(Membership.of("sim", i, n, t), 30_000));
      states.put(i, TallyState.empty(tx));
      banned.put(i, new HashSet<>());
    }
    for (int k = 0; k < queue.size(); k++) {
      Delivery d = queue.get(k);
      int node = d.to();
      TallyState s = states.get(node);
      Set<Integer> bans = banned.get(node);
      TallyRules r = rules.get(node);
      TallyRules.Step step;
      if (d.message() instanceof Vote v) {
        seenValues
            .computeIfAbsent(node, x -> new HashMap<>())
            .computeIfAbsent(v.nodeId(), x -> new HashSet<>())
            .add(v.value());
        step = r.onVote(s, v, 0, bans::contains);
      } else {
        Evidence e = (Evidence) d.message();
        step = r.onEvidence(s, e.first(), e.second(), d.from(), bans::contains);
      }
      s = TallyRules.applyAll(s, step.events());
      for (TallyEvent e : step.events()) {
        if (e instanceof TallyEvent.DoubleVoteDetected dv) {
          bans.add(dv.nodeId());
          if (dv.reportedBy() == node) {
            for (int to = 1; to <= n; to++) {
              if (to != node) {
                int at = k + 1 + random.nextInt(queue.size() - k);
                queue.add(at, new Delivery(to, node, new Evidence(dv.first(), dv.second())));
              }
            }
          }
        }
      }
      states.put(node, s);
    }
    Long decided = null;
    for (int i = 1; i <= n; i++) {
      TallyState s = states.get(i);
      s = TallyRules.applyAll(s, rules.get(i).onDeadline(s, Long.MAX_VALUE, x -> false).events());
      states.put(i, s);
      if (!eq.contains(i) && s.phase().decided()) {
        long v = s.certificate().value();
        if (decided == null) {
          decided = v;
        }
        assertEquals(decided.longValue(), v, "honest nodes decided different values");
      }
      for (ViolationRecord rec : s.violations()) {
        if (rec.type() == ViolationType.DOUBLE_VOTING
            || rec.type() == ViolationType.INVALID_SIGNATURE) {
          assertTrue(eq.contains(rec.nodeId()), "honest node " + rec.nodeId() + " accused: " + rec);
        }
      }
      for (Map.Entry<Integer, Set<Long>> e : seenValues.getOrDefault(i, Map.of()).entrySet()) {
        if (e.getValue().size() > 1) {
          assertTrue(
              s.recorded(ViolationType.DOUBLE_VOTING, e.getKey()),
              "node " + i + " saw node " + e.getKey() + " sign " + e.getValue() + " undetected");
        }
      }
      assertFalse(s.phase() == Phase.COLLECTING, "still collecting after the deadline");
    }
  }

  /** Signing dominates the run time: each (node, value) is signed once per round. */
  private static Vote sign(Map<String, Vote> cache, String tx, int node, long value) {
    return cache.computeIfAbsent(node + "/" + value, k -> KEYS.vote(tx, node, value));
  }
}
