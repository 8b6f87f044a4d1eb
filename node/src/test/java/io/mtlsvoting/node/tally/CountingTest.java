package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CountingTest {
  @Test
  void valueCanReachWhenVotesPlusUndecidedMeetThreshold() {
    assertTrue(Counting.canStillReach(3, 1, 4));
    assertTrue(Counting.canStillReach(4, 0, 4));
    assertFalse(Counting.canStillReach(2, 1, 4));
    assertTrue(Counting.canStillReach(0, 4, 4));
  }

  @Test
  void anyValueUsesTheBestCountOrAFreshValue() {
    assertTrue(Counting.anyValueCanReach(List.of(), 4, 4));
    assertFalse(Counting.anyValueCanReach(List.of(), 3, 4));
    assertTrue(Counting.anyValueCanReach(List.of(1, 2), 2, 4));
    assertFalse(Counting.anyValueCanReach(List.of(1, 1, 1), 2, 4));
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> Counting.canStillReach(-1, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Counting.canStillReach(0, 0, 0));
  }
}
