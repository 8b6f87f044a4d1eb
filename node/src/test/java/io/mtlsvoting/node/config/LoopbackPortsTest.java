package io.mtlsvoting.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  @Test
  void portsAreBelowTheEphemeralRangeDistinctAndBindable() throws IOException {
    int ephemeralLow = LoopbackPorts.ephemeralLow();
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = LoopbackPorts.free();
      assertTrue(port >= LoopbackPorts.LOW && port < ephemeralLow, port + " vs " + ephemeralLow);
      assertTrue(seen.add(port), "handed out twice: " + port);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      }
    }
  }

  @Test
  void theRangeFileIsParsedAndNonsenseRefused() {
    assertEquals(32768, LoopbackPorts.parseLow("32768\t60999\n"));
    assertEquals(1024, LoopbackPorts.parseLow(" 1024 65000"));
    var e = assertThrows(IllegalArgumentException.class, () -> LoopbackPorts.parseLow("32768"));
    assertTrue(e.getMessage().contains("not a port range"), e.getMessage());
  }
}
