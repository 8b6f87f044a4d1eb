package io.mtlsvoting.node.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings of one node of a cluster whose members all listen on 127.0.0.1 (the bench's
 * in-process cluster, the tests' clusters): identity, membership, certificates made by {@code
 * scripts/generate-certs.sh} in {@code certs}, the shared PostgreSQL database, small pools and
 * quick redials. Callers add their own keys to the returned (mutable) map.
 */
public final class LoopbackClusterConfig {
  private LoopbackClusterConfig() {}

  /**
   * @param ports loopback port of every member, by node id
   * @param byzantine members started with {@code byzantine-testing = on}
   */
  public static Map<String, Object> node(
      int id,
      int threshold,
      Map<Integer, Integer> ports,
      Path certs,
      String dbUrl,
      Set<Integer> byzantine) {
    if (!ports.containsKey(id)) {
      throw new IllegalArgumentException("node " + id + " is not one of " + ports.keySet());
    }
    Map<String, Object> m = new HashMap<>();
    m.put("mtls-voting.node-id", id);
    m.put("mtls-voting.listen-address", "127.0.0.1:" + ports.get(id));
    m.put("mtls-voting.total-nodes", ports.size());
    m.put("mtls-voting.threshold", threshold);
    List<Map<String, Object>> members = new ArrayList<>();
    ports.forEach((mid, port) -> members.add(Map.of("id", mid, "address", "127.0.0.1:" + port)));
    m.put("mtls-voting.members", members);
    m.put("mtls-voting.tls.ca-cert", certs.resolve("ca.crt").toString());
    m.put("mtls-voting.tls.node-cert", certs.resolve("node" + id + ".crt").toString());
    m.put("mtls-voting.tls.node-key", certs.resolve("node" + id + ".key").toString());
    m.put("mtls-voting.persistence.db.url", dbUrl);
    m.put("mtls-voting.persistence.db.pool-size", 4);
    m.put("mtls-voting.persistence.jdbc-dispatcher.thread-pool-executor.fixed-pool-size", 4);
    m.put("mtls-voting.byzantine-testing", byzantine.contains(id) ? "on" : "off");
    m.put("mtls-voting.backoff.min", "50ms");
    m.put("mtls-voting.backoff.max", "1s");
    return m;
  }
}
