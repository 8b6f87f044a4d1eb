package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.MonitorRequest;
import io.mtlsvoting.protocol.MonitorSnapshot;
import io.mtlsvoting.protocol.TxSummary;
import io.mtlsvoting.protocol.ViolationView;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code monitor}: a refreshing view of one node until interrupted or {@code --count} views. */
@Command(
    name = "monitor",
    mixinStandardHelpOptions = true,
    description = {
      "A live view of a node: decisions per second, open tallies, decisions by state,",
      "violations, peer RTTs and etcd/PostgreSQL health; refreshes until interrupted."
    })
final class MonitorCommand extends ClientCommand {
  @Option(
      names = "--interval",
      paramLabel = "S",
      defaultValue = "2",
      description = "Seconds between refreshes (default: ${DEFAULT-VALUE})")
  double intervalSeconds;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Stop after N refreshes (0 = until interrupted)")
  int count;

  @Override
  int execute() {
    if (intervalSeconds <= 0 || count < 0) {
      throw CliFailure.usage("--interval must be > 0 and --count >= 0");
    }
    NodeAddress node = options.target();
    Duration interval = Duration.ofMillis(Math.round(intervalSeconds * 1000));
    MonitorSnapshot previous = null;
    try (ControlClient client = options.connect(node)) {
      for (int i = 1; count == 0 || i <= count; i++) {
        MonitorSnapshot s =
            expect(
                node,
                client.call(new MonitorRequest(ControlClient.nextRequestId()), DEFAULT_TIMEOUT),
                MonitorSnapshot.class);
        if (options.json) {
          printJson(s);
        } else {
          print(out(), i, s, previous);
          out().flush();
        }
        previous = s;
        if (count == 0 || i < count) {
          sleep(interval);
        }
      }
    }
    return 0;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.failed("interrupted");
    }
  }

  static void print(PrintWriter out, int n, MonitorSnapshot s, MonitorSnapshot previous) {
    out.printf(
        "=== refresh %d: node %d at %s ===%n", n, s.nodeId(), Instant.ofEpochMilli(s.atMillis()));
    long decided = decisions(s.counters());
    if (previous != null && s.atMillis() > previous.atMillis()) {
      double rate =
          (decided - decisions(previous.counters()))
              * 1000.0
              / (s.atMillis() - previous.atMillis());
      out.printf("  decisions/s: %.2f%n", rate);
    } else {
      out.println("  decisions/s: - (needs two refreshes)");
    }
    out.printf(
        "  open tallies: %d   decided: %d   committed: %d   aborted: %d%n",
        s.counters().getOrDefault("tallies.live", 0L),
        s.counters().getOrDefault("tx.threshold-reached", 0L),
        s.counters().getOrDefault("tx.committed", 0L),
        s.counters().getOrDefault("tx.aborted-byzantine", 0L)
            + s.counters().getOrDefault("tx.aborted-split", 0L)
            + s.counters().getOrDefault("tx.aborted-timeout", 0L));
    s.health().forEach((k, v) -> out.printf("  health %-10s %s%n", k, v));
    s.peers()
        .forEach(
            p ->
                out.printf(
                    "  peer %d %-10s rtt %s rep %.2f%s%n",
                    p.nodeId(),
                    p.state(),
                    p.rttMicros() < 0 ? "-" : String.format("%.2fms", p.rttMicros() / 1000.0),
                    p.reputation(),
                    p.banned() ? " BANNED" : ""));
    for (TxSummary t : s.openTransactions()) {
      out.printf(
          "  tx %-30s %-18s votes %d leading %s%n",
          t.txId(), t.state(), t.votes(), t.leadingValue());
    }
    for (ViolationView v : s.recentViolations()) {
      out.printf("  violation %s by node %d on %s%n", v.type(), v.offenderNodeId(), v.txId());
    }
  }

  private static long decisions(Map<String, Long> counters) {
    return counters.getOrDefault("tx.threshold-reached", 0L);
  }
}
