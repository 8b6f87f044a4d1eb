package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Quorum arithmetic, tx id and unsigned value rules, and the config hash. */
class ValuesTest {
  @Test
  void fiveFourToleratesTwoByzantineAndOneFaulty() {
    Quorum q = new Quorum(5, 4);
    assertEquals(2, q.safetyTolerance());
    assertEquals(1, q.livenessTolerance());
    assertFalse(q.reached(3));
    assertTrue(q.reached(4));
  }

  @ParameterizedTest(name = "n={0} t={1} refused")
  @CsvSource({
    "5, 2, 'threshold 2 must be greater than total-nodes/2 (5/2) for safety'",
    "4, 2, 'threshold 2 must be greater than total-nodes/2 (4/2) for safety'",
    "5, 6, 'threshold 6 must not exceed total-nodes 5'",
    "0, 0, 'total-nodes must be at least 1 (got 0)'",
    "5, 0, 'threshold must be at least 1 (got 0)'"
  })
  void badQuorumsRefusedWithReason(int n, int t, String reason) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> new Quorum(n, t));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void singleNodeQuorumIsValid() {
    Quorum q = new Quorum(1, 1);
    assertEquals(0, q.safetyTolerance());
    assertEquals(0, q.livenessTolerance());
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "tx-1", "A.b_c:d-9", "0"})
  void goodTxIds(String txId) {
    assertEquals(txId, TxIds.validate(txId));
  }

  @Test
  void txIdOf128BytesAcceptedAnd129Refused() {
    assertEquals(128, TxIds.validate("x".repeat(128)).length());
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> TxIds.validate("x".repeat(129)));
    assertTrue(e.getMessage().contains("129"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "has space", "tab\t", "slash/", "é", "semi;colon", "new\nline"})
  void badTxIdsRefused(String txId) {
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> TxIds.validate(txId));
    assertTrue(e.getMessage().startsWith("tx id"), e.getMessage());
  }

  @Test
  void nullTxIdRefused() {
    assertThrows(InvalidInputException.class, () -> TxIds.validate(null));
  }

  @ParameterizedTest
  @CsvSource({
    "0, 0",
    "42, 42",
    "007, 7",
    "18446744073709551615, -1",
    "9223372036854775808, " + Long.MIN_VALUE
  })
  void unsignedValuesParse(String text, long expected) {
    assertEquals(expected, UnsignedValues.parse(text));
  }

  @Test
  void unsignedValuesFormatFullRange() {
    assertEquals("0", UnsignedValues.format(0));
    assertEquals("18446744073709551615", UnsignedValues.format(-1L));
    assertEquals("9223372036854775808", UnsignedValues.format(Long.MIN_VALUE));
  }

  @ParameterizedTest(name = "[{0}] refused: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "18446744073709551616|too large",
        "99999999999999999999999|too large",
        "-1|must not be negative",
        "+1|not a plain decimal",
        "' 1'|not a plain decimal",
        "'1 '|not a plain decimal",
        "1x|not a plain decimal",
        "0x10|not a plain decimal",
        "1e3|not a plain decimal",
        "''|must not be empty"
      })
  void badUnsignedValuesRefused(String text, String reason) {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> UnsignedValues.parse(text));
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void configHashIgnoresMemberOrderButNotConfig() {
    String h = Protocol.configHash(5, 4, List.of(1, 2, 3, 4, 5));
    assertEquals(64, h.length());
    assertEquals(h, Protocol.configHash(5, 4, List.of(5, 3, 1, 2, 4)));
    assertNotEquals(h, Protocol.configHash(5, 3, List.of(1, 2, 3, 4, 5)));
    assertNotEquals(h, Protocol.configHash(5, 4, List.of(1, 2, 3, 4, 6)));
  }
}
