package io.mtlsvoting.node.tally;

import java.util.List;

/**
 * Told of every tally event after it was journaled, on the tally's thread: implementations must not
 * block (tell an actor, offer to a queue).
 */
@FunctionalInterface
public interface TallyListener {
  TallyListener NONE = (event, after) -> {};

  void onEvent(TallyEvent event, TallyState after);

  /** All of {@code listeners}, in order; one throwing does not stop the others. */
  static TallyListener all(List<TallyListener> listeners) {
    List<TallyListener> copy = List.copyOf(listeners);
    return (event, after) -> {
      for (TallyListener l : copy) {
        try {
          l.onEvent(event, after);
        } catch (RuntimeException e) {
          // A faulty listener must not stop the others or the tally.
          TallyMetrics.GLOBAL_LISTENER_FAILURES.increment();
        }
      }
    };
  }
}
