package io.mtlsvoting.node.config;

import java.net.InetSocketAddress;

/** Parses {@code host:port} (IPv6 as {@code [addr]:port}) into unresolved socket addresses. */
final class Addresses {
  private Addresses() {}

  static InetSocketAddress parse(String key, String text) {
    String s = text == null ? "" : text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new ConfigProblem(key, "bad address '" + text + "': expected host:port");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new ConfigProblem(key, "bad address '" + text + "': write IPv6 hosts as [addr]:port");
    }
    if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigProblem(key, "bad address '" + text + "': empty or blank host");
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigProblem(key, "bad address '" + text + "': port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new ConfigProblem(key, "bad address '" + text + "': port must be 1..65535");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }
}
