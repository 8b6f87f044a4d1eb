package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.Vote;
import java.util.List;
import java.util.function.Consumer;

/**
 * Told of every tally event after it was journaled, on the tally's thread: implementations must not
 * block (tell an actor, offer to a queue).
 */
@FunctionalInterface
public interface TallyListener {
  TallyListener NONE = (event, after) -> {};

  void onEvent(TallyEvent event, TallyState after);

  /**
   * A peer's vote passed signature verification and goes to its tally now (nothing is journaled
   * yet; for measurements only). Called on a verification thread.
   */
  default void onVerified(Vote vote) {}

  /**
   * This node's own vote, already journaled, was cast again (a client retrying after an outage in
   * which the first cast's answer was lost): it is sent to the peers once more, since the first
   * send may never have happened. Peers treat the repeat as a no-op.
   */
  default void onOwnVoteRepeated(Vote vote) {}

  /**
   * The tally of {@code txId} still lacks the votes of {@code nodeIds} (members, not banned) some
   * time after it opened: they are asked for them (tally.vote-request-interval).
   */
  default void onVotesMissing(String txId, List<Integer> nodeIds) {}

  /** Peer {@code peerId} asked for this node's own vote, {@code vote} (already journaled). */
  default void onVoteRequested(Vote vote, int peerId) {}

  /** All of {@code listeners}, in order; one throwing does not stop the others. */
  static TallyListener all(List<TallyListener> listeners) {
    List<TallyListener> copy = List.copyOf(listeners);
    return new TallyListener() {
      @Override
      public void onEvent(TallyEvent event, TallyState after) {
        each(l -> l.onEvent(event, after));
      }

      @Override
      public void onVerified(Vote vote) {
        each(l -> l.onVerified(vote));
      }

      @Override
      public void onOwnVoteRepeated(Vote vote) {
        each(l -> l.onOwnVoteRepeated(vote));
      }

      @Override
      public void onVotesMissing(String txId, List<Integer> nodeIds) {
        each(l -> l.onVotesMissing(txId, nodeIds));
      }

      @Override
      public void onVoteRequested(Vote vote, int peerId) {
        each(l -> l.onVoteRequested(vote, peerId));
      }

      private void each(Consumer<TallyListener> call) {
        for (TallyListener l : copy) {
          try {
            call.accept(l);
          } catch (RuntimeException e) {
            // A faulty listener must not stop the others or the tally.
            TallyMetrics.GLOBAL_LISTENER_FAILURES.increment();
          }
        }
      }
    };
  }
}
