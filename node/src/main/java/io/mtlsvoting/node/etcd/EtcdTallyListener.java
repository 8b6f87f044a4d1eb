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
 */
public final class EtcdTallyListener implements TallyListener {
  private final int selfId;
  private final ActorRef<EtcdWriter.Command> writer;
  private final Clock clock;

  public EtcdTallyListener(int selfId, ActorRef<EtcdWriter.Command> writer, Clock clock) {
    this.selfId = selfId;
    this.writer = Objects.requireNonNull(writer, "writer");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void onEvent(TallyEvent event, TallyState after) {
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
