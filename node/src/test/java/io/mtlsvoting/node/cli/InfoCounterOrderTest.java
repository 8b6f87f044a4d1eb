package io.mtlsvoting.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `info` lists counters alphabetically, with numbers in names in numeric order. */
class InfoCounterOrderTest {

  @Test
  void bucketCountersAreListedByTheirBoundsNotTheirSpelling() {
    List<String> names =
        new ArrayList<>(
            List.of(
                "vote-propagation.le-1000ms",
                "vote-propagation.over-5000ms",
                "vote-propagation.le-100ms",
                "ingress.dropped",
                "vote-propagation.le-2ms",
                "vote-propagation.le-10ms"));
    names.sort(InfoCommand.COUNTER_ORDER);
    assertEquals(
        List.of(
            "ingress.dropped",
            "vote-propagation.le-2ms",
            "vote-propagation.le-10ms",
            "vote-propagation.le-100ms",
            "vote-propagation.le-1000ms",
            "vote-propagation.over-5000ms"),
        names);
  }

  @Test
  void namesThatDifferOnlyInLeadingZerosStayDistinct() {
    List<String> names = new ArrayList<>(List.of("a-07", "a-7", "a-6"));
    names.sort(InfoCommand.COUNTER_ORDER);
    assertEquals(List.of("a-6", "a-07", "a-7"), names);
  }
}
