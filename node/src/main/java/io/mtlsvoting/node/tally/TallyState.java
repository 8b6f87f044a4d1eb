package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * Immutable state of one transaction's tally; {@link #apply} is the only way it changes, so replay
 * of the journal rebuilds it exactly. Nullable: {@code certificate} until a decision, {@code
 * alarmValue} unless etcd disagreed.
 */
public record TallyState(
    String txId,
    Phase phase,
    long openedAt,
    long deadline,
    Map<Integer, Vote> votes,
    Set<Integer> excluded,
    boolean byzantine,
    QuorumCertificate certificate,
    List<ViolationRecord> violations,
    boolean deadlineReached,
    Long alarmValue)
    implements TallySerializable {

  public TallyState {
    votes = Collections.unmodifiableMap(new TreeMap<>(votes));
    excluded = Collections.unmodifiableSet(new TreeSet<>(excluded));
    violations = List.copyOf(violations);
  }

  /** The state of a tx nobody voted on yet. */
  public static TallyState empty(String txId) {
    return new TallyState(
        txId, Phase.NEW, 0L, 0L, Map.of(), Set.of(), false, null, List.of(), false, null);
  }

  /** Counted votes per value, in unsigned-agnostic map order. */
  public Map<Long, Integer> countsPerValue() {
    Map<Long, Integer> counts = new TreeMap<>();
    for (Vote v : votes.values()) {
      counts.merge(v.value(), 1, Integer::sum);
    }
    return counts;
  }

  public int votesFor(long value) {
    int n = 0;
    for (Vote v : votes.values()) {
      if (v.value() == value) {
        n++;
      }
    }
    return n;
  }

  /** The value with most counted votes (lowest on a tie), if any vote counts. */
  public OptionalLong leadingValue() {
    long best = 0;
    int bestCount = 0;
    for (Map.Entry<Long, Integer> e : countsPerValue().entrySet()) {
      if (e.getValue() > bestCount) {
        best = e.getKey();
        bestCount = e.getValue();
      }
    }
    return bestCount == 0 ? OptionalLong.empty() : OptionalLong.of(best);
  }

  /** Members that may still vote: not voted, not excluded here, not banned. */
  public int undecided(Membership m, IntPredicate banned) {
    int n = 0;
    for (int id : m.members()) {
      if (!votes.containsKey(id) && !excluded.contains(id) && !banned.test(id)) {
        n++;
      }
    }
    return n;
  }

  /** True when every member has a counted vote here or was excluded from this tally. */
  public boolean heardFromAll(Membership m) {
    for (int id : m.members()) {
      if (!votes.containsKey(id) && !excluded.contains(id)) {
        return false;
      }
    }
    return true;
  }

  /** True once no timer or decision is pending: the tally may be passivated when idle. */
  public boolean quiescent(Membership m) {
    if (phase == Phase.NEW) {
      return true;
    }
    return (phase.decided() || phase.terminal()) && (deadlineReached || heardFromAll(m));
  }

  public boolean recorded(ViolationType type, int nodeId) {
    for (ViolationRecord r : violations) {
      if (r.type() == type && r.nodeId() == nodeId) {
        return true;
      }
    }
    return false;
  }

  /** The decided value, if a value reached the threshold. */
  public OptionalLong decidedValue() {
    return certificate == null ? OptionalLong.empty() : OptionalLong.of(certificate.value());
  }

  /** Applies one journaled event; pure. */
  public TallyState apply(TallyEvent event) {
    if (event instanceof TallyEvent.Opened e) {
      return with(Phase.COLLECTING, e.openedAt(), e.deadline(), votes, excluded, byzantine);
    } else if (event instanceof TallyEvent.VoteCounted e) {
      Map<Integer, Vote> v = new TreeMap<>(votes);
      v.put(e.vote().nodeId(), e.vote());
      return with(phase, openedAt, deadline, v, excluded, byzantine);
    } else if (event instanceof TallyEvent.DoubleVoteDetected e) {
      return exclude(e.nodeId(), true)
          .addViolation(
              new ViolationRecord(
                  ViolationType.DOUBLE_VOTING,
                  e.nodeId(),
                  e.first(),
                  e.second(),
                  "detected by node " + e.reportedBy()));
    } else if (event instanceof TallyEvent.InvalidSignatureDetected e) {
      return exclude(e.nodeId(), true)
          .addViolation(
              new ViolationRecord(
                  ViolationType.INVALID_SIGNATURE, e.nodeId(), e.rawVote(), null, e.reason()));
    } else if (event instanceof TallyEvent.BannedVoterExcluded e) {
      return exclude(e.nodeId(), true);
    } else if (event instanceof TallyEvent.ThresholdReached e) {
      return new TallyState(
          txId,
          Phase.THRESHOLD_REACHED,
          openedAt,
          deadline,
          votes,
          excluded,
          byzantine,
          e.certificate(),
          violations,
          deadlineReached,
          alarmValue);
    } else if (event instanceof TallyEvent.MinorityVoteDetected e) {
      return addViolation(
          new ViolationRecord(
              ViolationType.MINORITY_VOTE,
              e.nodeId(),
              e.vote(),
              null,
              "decided " + Long.toUnsignedString(e.decidedValue())));
    } else if (event instanceof TallyEvent.DeadlineReached) {
      return new TallyState(
          txId,
          phase,
          openedAt,
          deadline,
          votes,
          excluded,
          byzantine,
          certificate,
          violations,
          true,
          alarmValue);
    } else if (event instanceof TallyEvent.SilentFailureDetected e) {
      return addViolation(
          new ViolationRecord(
              ViolationType.SILENT_FAILURE, e.nodeId(), null, null, "no vote by " + e.deadline()));
    } else if (event instanceof TallyEvent.Aborted e) {
      return with(e.outcome(), openedAt, deadline, votes, excluded, byzantine);
    } else if (event instanceof TallyEvent.Committed) {
      return with(Phase.COMMITTED, openedAt, deadline, votes, excluded, byzantine);
    } else if (event instanceof TallyEvent.SafetyAlarm e) {
      return new TallyState(
          txId,
          phase,
          openedAt,
          deadline,
          votes,
          excluded,
          byzantine,
          certificate,
          violations,
          deadlineReached,
          e.storedValue());
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  private TallyState exclude(int nodeId, boolean violation) {
    Map<Integer, Vote> v = new TreeMap<>(votes);
    v.remove(nodeId);
    Set<Integer> ex = new TreeSet<>(excluded);
    ex.add(nodeId);
    return with(phase, openedAt, deadline, v, ex, byzantine || violation);
  }

  private TallyState addViolation(ViolationRecord r) {
    List<ViolationRecord> list = new ArrayList<>(violations);
    list.add(r);
    return new TallyState(
        txId,
        phase,
        openedAt,
        deadline,
        votes,
        excluded,
        byzantine,
        certificate,
        list,
        deadlineReached,
        alarmValue);
  }

  private TallyState with(
      Phase p, long opened, long dl, Map<Integer, Vote> v, Set<Integer> ex, boolean byz) {
    return new TallyState(
        txId, p, opened, dl, v, ex, byz, certificate, violations, deadlineReached, alarmValue);
  }
}
