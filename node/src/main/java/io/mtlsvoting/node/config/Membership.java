package io.mtlsvoting.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads the membership: {@code bootstrap-peers} when non-empty (plus this node), else the {@code
 * members} list. Plain {@code host:port} bootstrap entries get the lowest free ids in list order,
 * skipping this node's id and ids given explicitly as {@code id@host:port}. An explicit entry for
 * this node sets the address its peers dial.
 */
final class Membership {
  private Membership() {}

  static Map<Integer, InetSocketAddress> read(
      NodeSettings.Reader r, int nodeId, InetSocketAddress listen) {
    String bootstrap = r.has("bootstrap-peers") ? r.string("bootstrap-peers").trim() : "";
    return bootstrap.isEmpty() ? fromList(r) : fromBootstrap(bootstrap, nodeId, listen);
  }

  private static Map<Integer, InetSocketAddress> fromList(NodeSettings.Reader r) {
    String key = NodeSettings.key("members");
    List<? extends Config> entries;
    try {
      entries = r.config().getConfigList("members");
    } catch (ConfigException.Missing e) {
      throw new ConfigProblem(key, "missing key");
    } catch (ConfigException e) {
      throw new ConfigProblem(
          key, "expected a list of { id = N, address = \"host:port\" }: " + e.getMessage(), e);
    }
    if (entries.isEmpty()) {
      throw new ConfigProblem(key, "must list at least this node");
    }
    Map<Integer, InetSocketAddress> members = new TreeMap<>();
    for (int i = 0; i < entries.size(); i++) {
      Config entry = entries.get(i);
      String entryKey = key + "[" + i + "]";
      int id;
      String address;
      try {
        id = entry.getInt("id");
        address = entry.getString("address");
      } catch (ConfigException e) {
        throw new ConfigProblem(entryKey, "needs id (integer) and address: " + e.getMessage(), e);
      }
      if (id < 1) {
        throw new ConfigProblem(entryKey + ".id", "must be a positive integer (got " + id + ")");
      }
      InetSocketAddress parsed = Addresses.parse(entryKey + ".address", address);
      if (members.put(id, parsed) != null) {
        throw new ConfigProblem(entryKey + ".id", "duplicate member id " + id);
      }
    }
    return members;
  }

  private static Map<Integer, InetSocketAddress> fromBootstrap(
      String bootstrap, int nodeId, InetSocketAddress listen) {
    String key = NodeSettings.key("bootstrap-peers");
    Map<Integer, InetSocketAddress> members = new TreeMap<>();
    members.put(nodeId, listen);
    List<InetSocketAddress> unnamed = new ArrayList<>();
    Set<Integer> explicit = new HashSet<>();
    for (String raw : bootstrap.split(",")) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        throw new ConfigProblem(key, "empty entry in '" + bootstrap + "'");
      }
      int at = entry.indexOf('@');
      if (at < 0) {
        unnamed.add(Addresses.parse(key, entry));
        continue;
      }
      int id;
      try {
        id = Integer.parseInt(entry.substring(0, at).trim());
      } catch (NumberFormatException e) {
        throw new ConfigProblem(key, "bad id in '" + entry + "': expected id@host:port");
      }
      if (id < 1) {
        throw new ConfigProblem(key, "bad id in '" + entry + "': must be positive");
      }
      if (!explicit.add(id)) {
        throw new ConfigProblem(key, "duplicate member id " + id + " in '" + entry + "'");
      }
      // This node's own entry is the address peers dial (it may differ from a 0.0.0.0 listen
      // address), so one BOOTSTRAP_PEERS string can serve every node of a cluster.
      members.put(id, Addresses.parse(key, entry.substring(at + 1)));
    }
    int next = 1;
    for (InetSocketAddress address : unnamed) {
      while (members.containsKey(next)) {
        next++;
      }
      members.put(next, address);
    }
    return members;
  }
}
