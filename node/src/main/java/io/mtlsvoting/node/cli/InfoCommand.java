package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.InfoReply;
import io.mtlsvoting.protocol.InfoRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;

/** {@code info}: a node's identity, configuration, tolerated faults, health and counters. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = {
      "Show a node's identity and certificate expiry, cluster configuration (n, t and the",
      "faults it tolerates), vote timeout, etcd/PostgreSQL health, uptime and counters."
    })
final class InfoCommand extends ClientCommand {
  @Override
  int execute() {
    NodeAddress node = options.target();
    InfoReply i =
        request(
            node, new InfoRequest(ControlClient.nextRequestId()), InfoReply.class, DEFAULT_TIMEOUT);
    if (options.json) {
      printJson(i);
      return 0;
    }
    var out = out();
    out.printf(
        "node %d listening on %s, cluster %s%n", i.nodeId(), i.listenAddress(), i.clusterId());
    out.printf("  certificate %s%n", i.certSubject());
    out.printf("    sha256 %s%n", i.certFingerprint());
    out.printf("    expires %s%n", Instant.ofEpochMilli(i.certNotAfterMillis()));
    out.printf(
        "  n = %d, t = %d (protocol %d)%n", i.totalNodes(), i.threshold(), i.protocolVersion());
    out.printf(
        "  tolerated faults: safety up to %d Byzantine node(s), liveness up to %d faulty node(s)%n",
        i.safetyTolerance(), i.livenessTolerance());
    out.printf("  vote timeout %s%n", Duration.ofMillis(i.voteTimeoutMillis()));
    out.printf("  uptime %s%n", Duration.ofMillis(i.uptimeMillis()).withNanos(0));
    i.health().forEach((k, v) -> out.printf("  health %-10s %s%n", k, v));
    Map<String, Long> counters = new TreeMap<>(COUNTER_ORDER);
    counters.putAll(i.counters());
    counters.forEach((k, v) -> out.printf("  counter %-32s %d%n", k, v));
    return 0;
  }

  /** Names in alphabetical order, but a run of digits by its number (le-2ms before le-10ms). */
  static final Comparator<String> COUNTER_ORDER = InfoCommand::compareNatural;

  private static int compareNatural(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char x = a.charAt(i);
      char y = b.charAt(j);
      if (Character.isDigit(x) && Character.isDigit(y)) {
        int ei = digitsEnd(a, i);
        int ej = digitsEnd(b, j);
        int byNumber = compareNumbers(a, i, ei, b, j, ej);
        if (byNumber != 0) {
          return byNumber;
        }
        i = ei;
        j = ej;
      } else {
        if (x != y) {
          return Character.compare(x, y);
        }
        i++;
        j++;
      }
    }
    int byLength = Integer.compare(a.length() - i, b.length() - j);
    return byLength != 0 ? byLength : a.compareTo(b);
  }

  /** Compares the digit runs a[i..ei) and b[j..ej) by value, without parsing (any length). */
  private static int compareNumbers(String a, int i, int ei, String b, int j, int ej) {
    while (i < ei - 1 && a.charAt(i) == '0') {
      i++;
    }
    while (j < ej - 1 && b.charAt(j) == '0') {
      j++;
    }
    int byLength = Integer.compare(ei - i, ej - j);
    return byLength != 0
        ? byLength
        : CharSequence.compare(a.subSequence(i, ei), b.subSequence(j, ej));
  }

  private static int digitsEnd(String s, int from) {
    int end = from;
    while (end < s.length() && Character.isDigit(s.charAt(end))) {
      end++;
    }
    return end;
  }
}
