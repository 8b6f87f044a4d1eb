package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * The tally rules of DESIGN section 5 as pure functions: state + input -> events. No clocks, no
 * actors, no I/O; {@link VoteTally} persists what these return, the simulation drives them
 * directly. Votes handed in here are already verified.
 */
public final class TallyRules {

  /** What became of one vote. */
  public enum VoteOutcome {
    COUNTED,
    DUPLICATE,
    DOUBLE_VOTE,
    IGNORED_BANNED,
    IGNORED_EXCLUDED,
    IGNORED_NOT_MEMBER,
    IGNORED_WRONG_TX,
    IGNORED_CLOSED,
    RECORDED_LATE
  }

  /** The events to persist, in order, and a short outcome for replies and metrics. */
  public record Step(List<TallyEvent> events, VoteOutcome outcome) {
    public Step {
      events = List.copyOf(events);
    }

    static Step none(VoteOutcome outcome) {
      return new Step(List.of(), outcome);
    }
  }

  private final Membership membership;
  private final long timeoutMillis;

  public TallyRules(Membership membership, long timeoutMillis) {
    this.membership = Objects.requireNonNull(membership, "membership");
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeout must be > 0");
    }
    this.timeoutMillis = timeoutMillis;
  }

  public Membership membership() {
    return membership;
  }

  /** Rules 1-6 for one verified vote received at {@code now} (epoch millis). */
  public Step onVote(TallyState s, Vote vote, long now, IntPredicate banned) {
    if (!s.txId().equals(vote.txId())) {
      return Step.none(VoteOutcome.IGNORED_WRONG_TX);
    }
    int node = vote.nodeId();
    if (!membership.member(node)) {
      return Step.none(VoteOutcome.IGNORED_NOT_MEMBER);
    }
    if (s.excluded().contains(node)) {
      return Step.none(VoteOutcome.IGNORED_EXCLUDED);
    }
    Vote previous = s.votes().get(node);
    if (previous != null && previous.value() == vote.value()) {
      return Step.none(VoteOutcome.DUPLICATE);
    }
    if (banned.test(node)) {
      return Step.none(VoteOutcome.IGNORED_BANNED);
    }
    List<TallyEvent> out = new ArrayList<>();
    TallyState st = s;
    if (previous != null) {
      st = add(out, st, doubleVote(s.txId(), previous, vote, membership.selfId()));
      st = checkDecision(out, st, banned);
      return new Step(out, VoteOutcome.DOUBLE_VOTE);
    }
    if (st.phase().aborted()) {
      // Kept for status and so a later second value is still caught as a double vote.
      add(out, st, new TallyEvent.VoteCounted(s.txId(), vote));
      return new Step(out, VoteOutcome.RECORDED_LATE);
    }
    if (st.phase() == Phase.NEW) {
      st = add(out, st, new TallyEvent.Opened(s.txId(), now, now + timeoutMillis));
    }
    st = add(out, st, new TallyEvent.VoteCounted(s.txId(), vote));
    if (st.phase().decided() && vote.value() != st.certificate().value()) {
      add(
          out,
          st,
          new TallyEvent.MinorityVoteDetected(s.txId(), node, vote, st.certificate().value()));
      return new Step(out, VoteOutcome.COUNTED);
    }
    checkDecision(out, st, banned);
    return new Step(out, VoteOutcome.COUNTED);
  }

  /**
   * Evidence that {@code first} and {@code second} (already verified: same node and tx, different
   * values, valid signatures) were both signed; {@code reporter} sent it.
   */
  public Step onEvidence(TallyState s, Vote first, Vote second, int reporter, IntPredicate banned) {
    int node = first.nodeId();
    if (!membership.member(node) || s.recorded(ViolationType.DOUBLE_VOTING, node)) {
      return Step.none(VoteOutcome.DUPLICATE);
    }
    List<TallyEvent> out = new ArrayList<>();
    TallyState st =
        add(out, s, new TallyEvent.DoubleVoteDetected(s.txId(), node, first, second, reporter));
    checkDecision(out, st, banned);
    return new Step(out, VoteOutcome.DOUBLE_VOTE);
  }

  /** A vote from authenticated peer {@code sender} failed verification or claimed another id. */
  public Step onInvalidSignature(
      TallyState s, int sender, Vote raw, String reason, IntPredicate banned) {
    if (s.recorded(ViolationType.INVALID_SIGNATURE, sender)) {
      return Step.none(VoteOutcome.DUPLICATE);
    }
    List<TallyEvent> out = new ArrayList<>();
    TallyState st =
        add(out, s, new TallyEvent.InvalidSignatureDetected(s.txId(), sender, raw, reason));
    checkDecision(out, st, banned);
    return new Step(out, VoteOutcome.IGNORED_BANNED);
  }

  /** The reputation authority banned {@code nodeId}: drop its vote from this tally while open. */
  public Step onBanned(TallyState s, int nodeId, IntPredicate banned) {
    if (s.phase() != Phase.COLLECTING
        || !membership.member(nodeId)
        || s.excluded().contains(nodeId)) {
      return Step.none(VoteOutcome.IGNORED_CLOSED);
    }
    List<TallyEvent> out = new ArrayList<>();
    TallyState st =
        add(out, s, new TallyEvent.BannedVoterExcluded(s.txId(), nodeId, s.votes().get(nodeId)));
    checkDecision(out, st, banned);
    return new Step(out, VoteOutcome.IGNORED_BANNED);
  }

  /** Rule 7 at {@code now}: silent members and, when still collecting, ABORTED_TIMEOUT. */
  public Step onDeadline(TallyState s, long now, IntPredicate banned) {
    if (s.phase() == Phase.NEW || s.deadlineReached() || now < s.deadline()) {
      return Step.none(VoteOutcome.IGNORED_CLOSED);
    }
    List<TallyEvent> out = new ArrayList<>();
    TallyState st = add(out, s, new TallyEvent.DeadlineReached(s.txId(), s.deadline()));
    for (int id : membership.members()) {
      if (!st.votes().containsKey(id)
          && !st.excluded().contains(id)
          && !banned.test(id)
          && !st.recorded(ViolationType.SILENT_FAILURE, id)) {
        st = add(out, st, new TallyEvent.SilentFailureDetected(s.txId(), id, s.deadline()));
      }
    }
    if (st.phase() == Phase.COLLECTING) {
      add(
          out,
          st,
          new TallyEvent.Aborted(
              s.txId(), Phase.ABORTED_TIMEOUT, "no value reached the threshold in time"));
    }
    return new Step(out, VoteOutcome.COUNTED);
  }

  /** What {@link #onCommit} concluded. */
  public enum CommitOutcome {
    COMMITTED,
    ALREADY_COMMITTED,
    SAFETY_ALARM,
    NOT_DECIDED
  }

  /** Rule 8: etcd holds {@code storedValue} under the tx. */
  public CommitStep onCommit(TallyState s, long storedValue) {
    if (!s.phase().decided()) {
      return new CommitStep(List.of(), CommitOutcome.NOT_DECIDED);
    }
    long local = s.certificate().value();
    if (local != storedValue) {
      if (s.alarmValue() != null && s.alarmValue() == storedValue) {
        return new CommitStep(List.of(), CommitOutcome.SAFETY_ALARM);
      }
      return new CommitStep(
          List.of(new TallyEvent.SafetyAlarm(s.txId(), local, storedValue)),
          CommitOutcome.SAFETY_ALARM);
    }
    if (s.phase() == Phase.COMMITTED) {
      return new CommitStep(List.of(), CommitOutcome.ALREADY_COMMITTED);
    }
    return new CommitStep(
        List.of(new TallyEvent.Committed(s.txId(), local)), CommitOutcome.COMMITTED);
  }

  /** Events of a commit request and their outcome. */
  public record CommitStep(List<TallyEvent> events, CommitOutcome outcome) {}

  /** Applies all events in order; convenience for callers that drive the rules directly. */
  public static TallyState applyAll(TallyState s, List<TallyEvent> events) {
    TallyState st = s;
    for (TallyEvent e : events) {
      st = st.apply(e);
    }
    return st;
  }

  private static TallyEvent.DoubleVoteDetected doubleVote(
      String txId, Vote first, Vote second, int reporter) {
    return new TallyEvent.DoubleVoteDetected(txId, first.nodeId(), first, second, reporter);
  }

  /** Rules 5 and 6 while collecting: threshold reached, or no value can reach it any more. */
  private TallyState checkDecision(List<TallyEvent> out, TallyState st, IntPredicate banned) {
    if (st.phase() != Phase.COLLECTING) {
      return st;
    }
    int t = membership.threshold();
    for (Map.Entry<Long, Integer> e : st.countsPerValue().entrySet()) {
      if (e.getValue() >= t) {
        long value = e.getKey();
        List<Vote> qcVotes =
            st.votes().values().stream()
                .filter(v -> v.value() == value)
                .sorted(Comparator.comparingInt(Vote::nodeId))
                .limit(t)
                .toList();
        TallyState next =
            add(
                out,
                st,
                new TallyEvent.ThresholdReached(
                    st.txId(),
                    new QuorumCertificate(membership.clusterId(), st.txId(), value, qcVotes)));
        for (Vote v : st.votes().values()) {
          if (v.value() != value) {
            next =
                add(
                    out,
                    next,
                    new TallyEvent.MinorityVoteDetected(st.txId(), v.nodeId(), v, value));
          }
        }
        return next;
      }
    }
    int undecided = st.undecided(membership, banned);
    if (!Counting.anyValueCanReach(st.countsPerValue().values(), undecided, t)) {
      Phase outcome = st.byzantine() ? Phase.ABORTED_BYZANTINE : Phase.ABORTED_SPLIT;
      return add(
          out,
          st,
          new TallyEvent.Aborted(
              st.txId(),
              outcome,
              "no value can reach "
                  + t
                  + " votes: counts "
                  + st.countsPerValue()
                  + ", "
                  + undecided
                  + " members undecided"));
    }
    return st;
  }

  private static TallyState add(List<TallyEvent> out, TallyState st, TallyEvent e) {
    out.add(e);
    return st.apply(e);
  }
}
