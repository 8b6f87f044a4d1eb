package io.mtlsvoting.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.runtime.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoopbackClusterConfigTest {
  final Map<Integer, Integer> ports = new TreeMap<>(Map.of(1, 40001, 2, 40002, 3, 40003));
  @TempDir Path certs;

  NodeSettings settings(int id, Set<Integer> byzantine) throws IOException {
    // The settings check that the files are readable; their content is not read here.
    for (String f : List.of("ca.crt", "node" + id + ".crt", "node" + id + ".key")) {
      Files.writeString(certs.resolve(f), "");
    }
    return NodeSettings.load(
        NodeConfig.withEnvironment(
            com.typesafe.config.ConfigFactory.parseMap(
                LoopbackClusterConfig.node(id, 2, ports, certs, "jdbc:x", byzantine)),
            Map.of()));
  }

  @Test
  void everyMemberOnLoopbackWithItsOwnCertificate() throws IOException {
    NodeSettings s = settings(2, Set.of(3));
    assertEquals(2, s.nodeId());
    assertEquals(
        "127.0.0.1:40002", s.listenAddress().getHostString() + ":" + s.listenAddress().getPort());
    assertEquals(3, s.members().size());
    assertEquals(40003, s.members().get(3).getPort());
    assertEquals("127.0.0.1", s.members().get(3).getHostString());
    assertEquals(certs.resolve("node2.crt"), s.tls().nodeCert());
    assertEquals(certs.resolve("node2.key"), s.tls().nodeKey());
    assertEquals(certs.resolve("ca.crt"), s.tls().caCert());
    assertFalse(s.byzantineTesting());
    assertTrue(settings(3, Set.of(3)).byzantineTesting());
  }

  @Test
  void aNodeOutsideThePortsIsRefused() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> LoopbackClusterConfig.node(4, 2, ports, certs, "jdbc:x", Set.of()));
    assertTrue(e.getMessage().contains("node 4"), e.getMessage());
  }
}
