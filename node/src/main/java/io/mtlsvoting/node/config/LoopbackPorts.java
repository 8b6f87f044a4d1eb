package io.mtlsvoting.node.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for nodes started together (the bench's in-process cluster, the tests'
 * clusters), picked below the kernel's ephemeral port range. A port from that range (what {@code
 * new ServerSocket(0)} gives) can be taken, before its node binds it, by the source port of a peer
 * dialling it: the peer then connects to itself and the node cannot bind.
 */
public final class LoopbackPorts {
  /** Lowest port handed out. */
  static final int LOW = 20_000;

  private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  /** A port below the ephemeral range, free on 127.0.0.1 now and not handed out before here. */
  public static int free() {
    int high = ephemeralLow();
    if (high - LOW < 1_000) {
      throw new IllegalStateException(
          "the ephemeral port range starts at " + high + "; too few ports below it from " + LOW);
    }
    for (int attempt = 0; attempt < 1_000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(LOW, high);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      } catch (IOException taken) {
        continue;
      }
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in " + LOW + ".." + (high - 1));
  }

  /** The first ephemeral port of this machine (Linux), else the Linux default. */
  static int ephemeralLow() {
    try {
      return parseLow(Files.readString(RANGE));
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_LOW;
    }
  }

  /** The first number of {@code ip_local_port_range}'s content ("32768\t60999"). */
  static int parseLow(String range) {
    String[] parts = range.trim().split("\\s+");
    if (parts.length != 2) {
      throw new IllegalArgumentException("not a port range: '" + range.trim() + "'");
    }
    return Integer.parseInt(parts[0]);
  }
}
