package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.UnbanReply;
import io.mtlsvoting.protocol.UnbanRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code unban}: lifts a node's ban on every member (or on the one given with {@code --at}). */
@Command(
    name = "unban",
    mixinStandardHelpOptions = true,
    description = {
      "Lift the ban of node ID and reset its reputation to 1.0, on every member of the cluster",
      "(or only on the node given with --at)."
    })
final class UnbanCommand extends ClientCommand {
  @Option(
      names = "--at",
      paramLabel = "ID|HOST:PORT",
      description = "Only lift the ban on this node (default: on every member)")
  String at;

  @Override
  int execute() {
    if (!spec.commandLine().getParseResult().hasMatchedOption("--node")) {
      throw CliFailure.usage("say which node to unban: unban --node ID");
    }
    int banned;
    try {
      banned = Integer.parseInt(options.node);
    } catch (NumberFormatException e) {
      throw CliFailure.usage("--node must be the id of the node to unban, got " + options.node);
    }
    ClusterNodes cluster = options.cluster();
    if (!cluster.members().containsKey(banned)) {
      throw CliFailure.usage(
          "unknown node " + banned + "; the cluster's nodes are " + cluster.members().keySet());
    }
    List<NodeAddress> targets = new ArrayList<>();
    if (at != null) {
      targets.add(cluster.resolve(at));
    } else {
      cluster.members().keySet().stream()
          .filter(id -> id != banned)
          .forEach(id -> targets.add(cluster.node(id)));
    }
    List<Map<String, Object>> results = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (NodeAddress node : targets) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("node", node.describe());
      try {
        UnbanReply u =
            request(
                node,
                new UnbanRequest(ControlClient.nextRequestId(), banned),
                UnbanReply.class,
                DEFAULT_TIMEOUT);
        r.put("wasBanned", u.wasBanned());
        r.put("reputation", u.reputation());
        if (!options.json) {
          out()
              .printf(
                  "%s: %s; reputation of node %d now %.2f%n",
                  node.describe(),
                  u.wasBanned()
                      ? "ban of node " + banned + " lifted"
                      : "node " + banned + " was not banned",
                  banned,
                  u.reputation());
        }
      } catch (CliFailure e) {
        r.put("error", e.getMessage());
        failures.add(e.getMessage());
        err().println("mtls-voting unban: " + e.getMessage());
      }
      results.add(r);
    }
    if (options.json) {
      printJson(results);
    }
    return failures.isEmpty() ? 0 : CliFailure.FAILED;
  }
}
