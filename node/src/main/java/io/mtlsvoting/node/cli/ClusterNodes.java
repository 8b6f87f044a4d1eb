package io.mtlsvoting.node.cli;

import com.typesafe.config.Config;
import io.mtlsvoting.node.config.ConfigProblem;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.runtime.NodeConfig;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The cluster's members as the CLI knows them: from {@code --nodes 1@host:port,...} (or env {@code
 * MTLS_NODES}), else from the members of the node configuration ({@code --config FILE} or
 * application.conf, with the usual environment overrides).
 */
final class ClusterNodes {
  private final Map<Integer, InetSocketAddress> members;
  private final int threshold;

  private ClusterNodes(Map<Integer, InetSocketAddress> members, int threshold) {
    this.members = members;
    this.threshold = threshold;
  }

  static ClusterNodes load(String nodesList, Path configFile) {
    Config config;
    try {
      config = NodeConfig.load(Optional.ofNullable(configFile));
    } catch (ConfigProblem | com.typesafe.config.ConfigException e) {
      throw CliFailure.usage("cannot read the cluster configuration: " + e.getMessage());
    }
    int threshold = config.getInt("mtls-voting.threshold");
    if (nodesList != null && !nodesList.isBlank()) {
      return new ClusterNodes(parse(nodesList), threshold);
    }
    try {
      return new ClusterNodes(NodeSettings.load(config).members(), threshold);
    } catch (ConfigProblem e) {
      throw CliFailure.usage(
          "cannot read the cluster members from the configuration ("
              + e.getMessage()
              + "); pass --nodes 1@HOST:PORT,2@HOST:PORT,... or --config FILE");
    }
  }

  /** Parses {@code 1@127.0.0.1:9001,2@127.0.0.1:9002}. */
  static Map<Integer, InetSocketAddress> parse(String list) {
    Map<Integer, InetSocketAddress> out = new TreeMap<>();
    for (String entry : list.split(",")) {
      String e = entry.trim();
      int at = e.indexOf('@');
      if (at <= 0) {
        throw CliFailure.usage("--nodes entry '" + e + "' is not ID@HOST:PORT");
      }
      int id;
      try {
        id = Integer.parseInt(e.substring(0, at));
      } catch (NumberFormatException x) {
        throw CliFailure.usage("--nodes entry '" + e + "': the id is not a number");
      }
      out.put(id, address("--nodes", e.substring(at + 1)));
    }
    return out;
  }

  private static InetSocketAddress address(String what, String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw CliFailure.usage(what + " '" + text + "' is not HOST:PORT (or a node id)");
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return InetSocketAddress.createUnresolved(host, port);
    } catch (NumberFormatException e) {
      throw CliFailure.usage(what + " '" + text + "': the port must be 1..65535");
    }
  }

  Map<Integer, InetSocketAddress> members() {
    return members;
  }

  int threshold() {
    return threshold;
  }

  /** Resolves {@code --node}: a member id or HOST:PORT. */
  NodeAddress resolve(String node) {
    if (node.matches("[0-9]+")) {
      int id = Integer.parseInt(node);
      InetSocketAddress a = members.get(id);
      if (a == null) {
        throw CliFailure.usage(
            "unknown node " + id + "; the cluster's nodes are " + members.keySet());
      }
      return new NodeAddress(OptionalInt.of(id), a);
    }
    InetSocketAddress a = address("--node", node);
    for (Map.Entry<Integer, InetSocketAddress> m : members.entrySet()) {
      if (m.getValue().getHostString().equals(a.getHostString())
          && m.getValue().getPort() == a.getPort()) {
        return new NodeAddress(OptionalInt.of(m.getKey()), a);
      }
    }
    return new NodeAddress(OptionalInt.empty(), a);
  }

  NodeAddress node(int id) {
    return resolve(Integer.toString(id));
  }
}
