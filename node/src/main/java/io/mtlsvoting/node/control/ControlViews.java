package io.mtlsvoting.node.control;

import io.mtlsvoting.node.mesh.PeerStatus;
import io.mtlsvoting.node.mesh.Peers;
import io.mtlsvoting.node.tally.ReputationState;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.ViolationRecord;
import io.mtlsvoting.protocol.PeerView;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.TxSummary;
import io.mtlsvoting.protocol.UnsignedValues;
import io.mtlsvoting.protocol.ViolationView;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteView;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Conversions from the node's internal state to the client reply records of the protocol. */
final class ControlViews {
  private ControlViews() {}

  static StatusReply status(long requestId, String clusterId, int selfId, TallyState s) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    s.countsPerValue().forEach((v, c) -> counts.put(UnsignedValues.format(v), c));
    List<VoteView> votes = s.votes().values().stream().map(VoteView::of).toList();
    List<ViolationView> violations = new ArrayList<>();
    for (ViolationRecord r : s.violations()) {
      violations.add(violation(r, s.txId(), selfId));
    }
    String alarm =
        s.alarmValue() == null
            ? ""
            : "etcd holds value "
                + UnsignedValues.format(s.alarmValue())
                + " for this tx, this node decided "
                + s.decidedValue().stream()
                    .mapToObj(UnsignedValues::format)
                    .findFirst()
                    .orElse("-");
    return new StatusReply(
        requestId,
        clusterId,
        s.txId(),
        s.phase().name(),
        counts,
        votes,
        decided(s),
        s.certificate() == null ? List.of() : s.certificate().votes(),
        violations,
        s.openedAt(),
        s.deadline(),
        alarm);
  }

  static String decided(TallyState s) {
    return s.decidedValue().isPresent() ? UnsignedValues.format(s.decidedValue().getAsLong()) : "";
  }

  /** A violation with its evidence spelled out in {@code detail}. */
  static ViolationView violation(ViolationRecord r, String txId, int observedBy) {
    StringBuilder detail = new StringBuilder(r.detail());
    if (r.vote() != null) {
      detail.append("; evidence: ").append(describe(r.vote()));
    }
    if (r.otherVote() != null) {
      detail.append(" and ").append(describe(r.otherVote()));
    }
    return new ViolationView(
        r.type().name(),
        r.nodeId(),
        txId,
        observedBy,
        System.currentTimeMillis(),
        detail.toString());
  }

  static String describe(Vote v) {
    String sig = HexFormat.of().formatHex(v.signature());
    return "vote of node "
        + v.nodeId()
        + " for "
        + UnsignedValues.format(v.value())
        + " issued at "
        + v.issuedAt()
        + " signature "
        + (sig.length() > 16 ? sig.substring(0, 16) + "…" : sig);
  }

  static TxSummary summary(TallyState s) {
    int votes = s.votes().size();
    String leading =
        s.leadingValue().isPresent() ? UnsignedValues.format(s.leadingValue().getAsLong()) : "";
    return new TxSummary(s.txId(), s.phase().name(), votes, leading, s.openedAt());
  }

  /**
   * The peers view; {@code etcdLive} is etcd's set of live members, empty when etcd is off or could
   * not be asked ({@code etcdState} is then "" or "unknown").
   */
  static List<PeerView> peers(
      Peers peers,
      ReputationState reputation,
      Map<Integer, InetSocketAddress> members,
      Optional<Set<Integer>> etcdLive,
      String etcdState) {
    List<PeerView> out = new ArrayList<>();
    for (PeerStatus p : peers.peers()) {
      InetSocketAddress a = members.get(p.nodeId());
      out.add(
          new PeerView(
              p.nodeId(),
              a == null ? "" : a.getHostString() + ":" + a.getPort(),
              p.state().name(),
              p.connectedSince().map(i -> i.toEpochMilli()).orElse(0L),
              p.rttEwmaMicros(),
              p.messagesIn(),
              p.messagesOut(),
              p.bytesIn(),
              p.bytesOut(),
              p.drops(),
              reputation.score(p.nodeId()),
              reputation.bannedNode(p.nodeId()),
              p.lastError().orElse(""),
              etcdLive
                  .map(live -> live.contains(p.nodeId()) ? "live" : "absent")
                  .orElse(etcdState)));
    }
    return out;
  }
}
