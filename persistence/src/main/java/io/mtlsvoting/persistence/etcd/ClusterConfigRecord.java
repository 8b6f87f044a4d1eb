package io.mtlsvoting.persistence.etcd;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cluster-wide configuration every node must agree on, stored once under {@code <prefix>config}
 * (create-if-absent); a node whose record differs refuses to start.
 *
 * @param clusterId the cluster id (also part of the default key prefix)
 * @param protocolVersion the wire protocol version
 * @param totalNodes n
 * @param threshold t
 * @param memberIds the member node ids; stored sorted and without duplicates
 */
public record ClusterConfigRecord(
    String clusterId, int protocolVersion, int totalNodes, int threshold, List<Integer> memberIds) {

  /** Validates the fields and normalises {@code memberIds} to a sorted, immutable list. */
  public ClusterConfigRecord {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(memberIds, "memberIds");
    if (clusterId.isBlank()) {
      throw new IllegalArgumentException("clusterId must not be blank");
    }
    memberIds = memberIds.stream().sorted().distinct().toList();
  }

  /**
   * Human-readable differences, one per field, phrased from this node's point of view: {@code
   * "threshold: etcd has 4, this node has 3"}. Empty when both are equal.
   *
   * @param stored the record found in etcd
   */
  public List<String> differencesFrom(ClusterConfigRecord stored) {
    Objects.requireNonNull(stored, "stored");
    List<String> out = new ArrayList<>();
    diff(out, "cluster-id", stored.clusterId, clusterId);
    diff(out, "protocol-version", stored.protocolVersion, protocolVersion);
    diff(out, "total-nodes", stored.totalNodes, totalNodes);
    diff(out, "threshold", stored.threshold, threshold);
    diff(out, "member-ids", stored.memberIds, memberIds);
    return List.copyOf(out);
  }

  private static void diff(List<String> out, String field, Object stored, Object mine) {
    if (!Objects.equals(stored, mine)) {
      out.add(field + ": etcd has " + stored + ", this node has " + mine);
    }
  }
}
