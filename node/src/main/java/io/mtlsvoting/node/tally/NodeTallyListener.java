package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.protocol.Echo;
import io.mtlsvoting.protocol.Evidence;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteRequest;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The standard reaction to journaled tally events: broadcast this node's own counted votes, the
 * evidence of double votes it detected itself and echoes of dissenting votes, ban proven offenders
 * and penalize minority and silent voters through the {@link BanRegistry}.
 */
public final class NodeTallyListener implements TallyListener {
  private final int selfId;
  private final Broadcaster broadcaster;
  private final ActorRef<BanRegistry.Command> registry;

  public NodeTallyListener(
      int selfId, Broadcaster broadcaster, ActorRef<BanRegistry.Command> registry) {
    this.selfId = selfId;
    this.broadcaster = Objects.requireNonNull(broadcaster, "broadcaster");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void onOwnVoteRepeated(Vote vote) {
    if (vote.nodeId() == selfId) {
      broadcaster.broadcast(vote);
    }
  }

  @Override
  public void onVotesMissing(String txId, List<Integer> nodeIds) {
    VoteRequest request = new VoteRequest(txId);
    for (int id : nodeIds) {
      // Not to a member without a link: it could not arrive, and would count as a drop. The tally
      // asks again at its next interval.
      if (broadcaster.connected(id)) {
        broadcaster.sendTo(id, request);
      }
    }
  }

  @Override
  public void onVoteRequested(Vote vote, int peerId) {
    if (vote.nodeId() == selfId) {
      broadcaster.sendTo(peerId, vote);
    }
  }

  @Override
  public void onEvent(TallyEvent event, TallyState after) {
    if (event instanceof TallyEvent.VoteCounted e && e.vote().nodeId() == selfId) {
      broadcaster.broadcast(e.vote());
    } else if (event instanceof TallyEvent.DoubleVoteDetected e) {
      registry.tell(
          new BanRegistry.Ban(
              e.nodeId(), e.type(), e.txId(), "signed two values, detected by " + e.reportedBy()));
      if (e.reportedBy() == selfId) {
        broadcaster.broadcast(new Evidence(e.first(), e.second()));
      }
    } else if (event instanceof TallyEvent.InvalidSignatureDetected e) {
      registry.tell(new BanRegistry.Ban(e.nodeId(), e.type(), e.txId(), e.reason()));
    } else if (event instanceof TallyEvent.MinorityVoteDetected e) {
      registry.tell(new BanRegistry.Penalize(e.nodeId(), e.type(), e.txId()));
      // Peers holding another signed value from this node can then prove a double vote.
      broadcaster.broadcast(new Echo(e.vote()));
    } else if (event instanceof TallyEvent.SilentFailureDetected e) {
      registry.tell(new BanRegistry.Penalize(e.nodeId(), e.type(), e.txId()));
    }
  }
}
