package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON written to etcd and the default "same decided value" rule, without etcd. */
class EtcdJsonTest {
  private static final java.util.function.BiPredicate<String, String> SAME =
      EtcdCoordinator.SAME_VALUE_FIELD;

  @Test
  void sameValueFieldComparesTheDecidedValue() {
    assertTrue(SAME.test("not json", "not json"));
    assertTrue(SAME.test("{\"value\":7,\"votes\":[1]}", "{\"votes\":[2],\"value\":7}"));
    assertTrue(
        SAME.test("{\"value\":18446744073709551615}", "{\"value\":\"18446744073709551615\"}"));
    assertFalse(SAME.test("{\"value\":7}", "{\"value\":8}"));
    assertFalse(SAME.test("{\"votes\":[1]}", "{\"votes\":[2]}"));
    assertFalse(SAME.test("{\"value\":null}", "{\"value\":null,\"x\":1}"));
    assertFalse(SAME.test("[1]", "{\"value\":1}"));
  }

  @Test
  void configAndMemberRoundTrip() {
    ClusterConfigRecord c = new ClusterConfigRecord("c1", 1, 5, 4, List.of(5, 3, 1, 2, 4, 4));
    assertEquals(List.of(1, 2, 3, 4, 5), c.memberIds());
    assertEquals(
        "{\"clusterId\":\"c1\",\"protocolVersion\":1,\"totalNodes\":5,\"threshold\":4,"
            + "\"memberIds\":[1,2,3,4,5]}",
        EtcdJson.config(c));
    assertEquals(c, EtcdJson.parseConfig(EtcdJson.config(c)));
    MemberInfo m = new MemberInfo("h:1", "ff", Instant.parse("2025-02-03T04:05:06.789Z"));
    assertEquals(m, EtcdJson.parseMember(EtcdJson.member(m)));
  }

  @Test
  void unreadableStoredJsonIsRefusedWithTheField() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EtcdJson.parseConfig(
                    "{\"clusterId\":\"c\",\"memberIds\":[1],\"threshold\":\"4\"}"));
    assertTrue(e.getMessage().contains("protocolVersion"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> EtcdJson.parseConfig("[]"));
    assertThrows(IllegalArgumentException.class, () -> EtcdJson.parseMember("{"));
  }
}
