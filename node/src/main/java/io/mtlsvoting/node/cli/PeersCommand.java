package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.PeerView;
import io.mtlsvoting.protocol.PeersReply;
import io.mtlsvoting.protocol.PeersRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code peers}: a node's connection to every other member, with reputation and bans. */
@Command(
    name = "peers",
    mixinStandardHelpOptions = true,
    description = {
      "Show every peer of a node: connection state, since when, RTT, messages in/out, drops,",
      "reputation and ban state."
    })
final class PeersCommand extends ClientCommand {
  @Override
  int execute() {
    NodeAddress node = options.target();
    PeersReply p =
        request(
            node,
            new PeersRequest(ControlClient.nextRequestId()),
            PeersReply.class,
            DEFAULT_TIMEOUT);
    if (options.json) {
      printJson(p);
      return 0;
    }
    long connected = p.peers().stream().filter(v -> v.state().equals("CONNECTED")).count();
    out().printf("%s: %d of %d peers connected%n", node.describe(), connected, p.peers().size());
    print(out(), p.peers());
    return 0;
  }

  static void print(PrintWriter out, List<PeerView> peers) {
    out.printf(
        "  %-5s %-21s %-12s %-24s %9s %8s %8s %6s %6s %-6s %s%n",
        "node", "address", "state", "since", "rtt(ms)", "in", "out", "drops", "rep", "ban", "etcd");
    for (PeerView v : peers) {
      out.printf(
          "  %-5d %-21s %-12s %-24s %9s %8d %8d %6d %6.2f %-6s %s%s%n",
          v.nodeId(),
          v.address(),
          v.state(),
          v.sinceMillis() == 0 ? "-" : Instant.ofEpochMilli(v.sinceMillis()).toString(),
          v.rttMicros() < 0 ? "-" : String.format("%.2f", v.rttMicros() / 1000.0),
          v.msgsIn(),
          v.msgsOut(),
          v.drops(),
          v.reputation(),
          v.banned() ? "BANNED" : "-",
          v.etcdMember().isEmpty() ? "-" : v.etcdMember(),
          v.lastError().isEmpty() ? "" : "  last error: " + v.lastError());
    }
  }
}
