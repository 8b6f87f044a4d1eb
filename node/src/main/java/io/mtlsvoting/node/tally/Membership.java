package io.mtlsvoting.node.tally;

import io.mtlsvoting.protocol.Quorum;
import java.util.Collection;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The cluster facts a tally needs: cluster id (part of every signature), this node's id, n/t and
 * the member ids.
 */
public record Membership(String clusterId, int selfId, Quorum quorum, SortedSet<Integer> members) {
  public Membership {
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(quorum, "quorum");
    members = new TreeSet<>(Objects.requireNonNull(members, "members"));
    if (members.size() != quorum.n()) {
      throw new IllegalArgumentException(
          "membership has " + members.size() + " ids but n = " + quorum.n());
    }
    if (!members.contains(selfId)) {
      throw new IllegalArgumentException("self id " + selfId + " is not a member " + members);
    }
  }

  /** Convenience factory for the usual ids 1..n. */
  public static Membership of(String clusterId, int selfId, int n, int t) {
    TreeSet<Integer> ids = new TreeSet<>();
    for (int i = 1; i <= n; i++) {
      ids.add(i);
    }
    return new Membership(clusterId, selfId, new Quorum(n, t), ids);
  }

  /** Same cluster seen from another member (used by multi-node tests and simulations). */
  public Membership as(int otherSelfId) {
    return new Membership(clusterId, otherSelfId, quorum, members);
  }

  public static Membership of(
      String clusterId, int selfId, Quorum quorum, Collection<Integer> ids) {
    return new Membership(clusterId, selfId, quorum, new TreeSet<>(ids));
  }

  public int threshold() {
    return quorum.t();
  }

  public boolean member(int nodeId) {
    return members.contains(nodeId);
  }
}
