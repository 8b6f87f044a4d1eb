package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.InfoReply;
import io.mtlsvoting.protocol.InfoRequest;
import java.time.Duration;
import java.time.Instant;
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
    new TreeMap<>(i.counters()).forEach((k, v) -> out.printf("  counter %-32s %d%n", k, v));
    return 0;
  }
}
