package io.mtlsvoting.persistence.etcd;

import java.util.List;
import java.util.Objects;

/**
 * Outcome of {@link EtcdCoordinator#createConfigIfAbsent}: stored now, already there, or at odds.
 */
public sealed interface ConfigResult {

  /** This node stored its config; it is the first of the cluster to start. */
  record Created() implements ConfigResult {}

  /** An equal config was already stored. */
  record SameExisting() implements ConfigResult {}

  /**
   * A different config is stored; the node must refuse to start.
   *
   * @param existing what etcd holds
   * @param differences one line per differing field, e.g. {@code "threshold: etcd has 4, this node
   *     has 3"}
   */
  record Different(ClusterConfigRecord existing, List<String> differences) implements ConfigResult {
    /** Copies the list. */
    public Different {
      Objects.requireNonNull(existing, "existing");
      differences = List.copyOf(differences);
    }
  }
}
