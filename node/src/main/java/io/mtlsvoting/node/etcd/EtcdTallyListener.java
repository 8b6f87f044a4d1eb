package io.mtlsvoting.node.etcd;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.protocol.Vote;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Hands journaled tally events to the {@link EtcdWriter} without blocking: decisions go to the
 * outbox, and the bans this node enacts on proof (double vote, invalid signature) are published.
 * Created before the router (the tallies need it) and {@link #bind bound} to the writer (which
 * needs the router) before any vote is delivered.
 */
public final class EtcdTallyListener implements TallyListener {
  private final int selfId;
  private final Clock clock;
  private volatile ActorRef<EtcdWriter.Command> writer;

  public EtcdTallyListener(int selfId, Clock clock) {
    this.selfId = selfId;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Sets the writer; call once, right after spawning it and before votes flow. */
  public EtcdTallyListener bind(ActorRef<EtcdWriter.Command> etcdWriter) {
    this.writer = Objects.requireNonNull(etcdWriter, "etcdWriter");
    return this;
  }

  @Override
  public void onEvent(TallyEvent event, TallyState after) {
    if (writer == null) {
      // A wiring error, not a runtime condition; TallyListener.all counts it.
      throw new IllegalStateException("EtcdTallyListener used before bind(writer)");
    }
    if (event instanceof TallyEvent.ThresholdReached e) {
      writer.tell(new EtcdWriter.ThresholdReached(e.txId(), e.certificate()));
    } else if (event instanceof TallyEvent.DoubleVoteDetected e && e.nodeId() != selfId) {
      publish(
          e.nodeId(),
          ViolationType.DOUBLE_VOTING,
          e.txId(),
          "signed two values, detected by node " + e.reportedBy(),
          List.of(e.first(), e.second()));
    } else if (event instanceof TallyEvent.InvalidSignatureDetected e && e.nodeId() != selfId) {
      publish(
          e.nodeId(), ViolationType.INVALID_SIGNATURE, e.txId(), e.reason(), List.of(e.rawVote()));
    }
  }

  private void publish(
      int nodeId, ViolationType type, String txId, String reason, List<Vote> votes) {
    writer.tell(
        new EtcdWriter.PublishBan(
            new BanRecord(nodeId, type, txId, reason, selfId, clock.instant(), votes)));
  }
}
