package io.mtlsvoting.node.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The node's reference.conf etcd block as the node reads it: consensus retention included. */
class EtcdReferenceConfigTest {
  private static EtcdSettings read(String operatorConfig) {
    Config block =
        ConfigFactory.parseString(operatorConfig)
            .withFallback(ConfigFactory.defaultReference())
            .getConfig("mtls-voting.etcd");
    return EtcdSettings.fromConfig(block, "c1").orElseThrow();
  }

  @Test
  void consensusKeysAreKeptForADayByDefault() {
    EtcdSettings s = read("mtls-voting.etcd.endpoints = \"http://127.0.0.1:2379\"");
    assertEquals(Duration.ofHours(24), s.consensusRetention());
    assertEquals(Duration.ofMinutes(1), s.consensusLeaseRotation());
  }

  @Test
  void theOperatorCanShortenTheRetentionOrTurnItOff() {
    String endpoints = "mtls-voting.etcd.endpoints = \"http://127.0.0.1:2379\"\n";
    assertEquals(
        Duration.ofHours(1),
        read(endpoints + "mtls-voting.etcd.consensus-retention = 1h").consensusRetention());
    assertEquals(
        Duration.ZERO,
        read(endpoints + "mtls-voting.etcd.consensus-retention = off").consensusRetention());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> read(endpoints + "mtls-voting.etcd.consensus-retention = 100ms"));
    assertTrue(e.getMessage().startsWith("mtls-voting.etcd: "), e.getMessage());
    assertTrue(e.getMessage().contains("consensus-retention"), e.getMessage());
  }
}
