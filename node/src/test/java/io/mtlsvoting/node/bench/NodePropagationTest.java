package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.mtlsvoting.node.tally.PropagationCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Propagation from the nodes' bucket counters (pure logic). */
class NodePropagationTest {

  @Test
  void aVoteFallsInTheBucketOfTheSmallestBoundAtOrAboveItsTime() {
    assertEquals("vote-propagation.le-1ms", PropagationCounters.counterFor(-3));
    assertEquals("vote-propagation.le-1ms", PropagationCounters.counterFor(1));
    assertEquals("vote-propagation.le-5ms", PropagationCounters.counterFor(4));
    assertEquals("vote-propagation.le-5000ms", PropagationCounters.counterFor(5000));
    assertEquals("vote-propagation.over-5000ms", PropagationCounters.counterFor(5001));
  }

  @Test
  void theRunsCountsAreTheDifferenceAndPercentilesAreBucketBounds() {
    Map<String, Long> before = Map.of("vote-propagation.le-2ms", 50L, "ingress.dropped", 3L);
    // During the run: 90 votes within 2 ms, 9 within 10 ms, 1 over 5 s.
    Map<String, Long> after =
        Map.of(
            "vote-propagation.le-2ms", 140L,
            "vote-propagation.le-10ms", 9L,
            "vote-propagation.over-5000ms", 1L,
            "ingress.dropped", 7L);
    LatencyHistogram.Summary s = NodePropagation.between(before, after);
    assertEquals(100, s.samples());
    assertEquals(2, s.p50Ms());
    assertEquals(2, s.p90Ms());
    assertEquals(10, s.p99Ms());
    assertEquals(5000, s.maxMs());
  }

  @Test
  void noVotesCountedMeansNotMeasured() {
    Map<String, Long> same = Map.of("vote-propagation.le-3ms", 4L);
    assertNull(NodePropagation.between(same, same));
    assertNull(NodePropagation.between(Map.of(), Map.of("ingress.dropped", 1L)));
  }
}
