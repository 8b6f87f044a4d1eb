package io.mtlsvoting.node.etcd;

import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.persistence.etcd.ClusterConfigRecord;
import io.mtlsvoting.persistence.etcd.ConfigResult;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.protocol.Protocol;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check that this node's n, t, membership, cluster id and protocol version agree with
 * the cluster's record in etcd; call it before the tallies start. Blocks up to a timeout.
 */
public final class EtcdStartup {
  private static final Logger LOG = LoggerFactory.getLogger(EtcdStartup.class);

  /** Outcome of a check that did not find a different config. */
  public enum ConfigCheck {
    /** etcd holds this node's config (stored now or found). */
    AGREED,
    /**
     * etcd did not answer in time; the {@link EtcdWriter} keeps checking in the background and
     * writes no consensus record until the config is agreed.
     */
    UNVERIFIED
  }

  /** etcd holds another cluster config: the node must not start. */
  public static final class ConfigMismatchException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final List<String> differences;

    ConfigMismatchException(String where, List<String> differences) {
      super(
          "refusing to start: the cluster config in etcd ("
              + where
              + ") differs from this node's: "
              + String.join("; ", differences)
              + ". Fix this node's config (or, for a new cluster, use another cluster id or"
              + " etcd prefix).");
      this.differences = List.copyOf(differences);
    }

    /** One line per differing field, e.g. {@code "threshold: etcd has 4, this node has 3"}. */
    public List<String> differences() {
      return differences;
    }
  }

  private EtcdStartup() {}

  /** The record every node of {@code membership}'s cluster must agree on. */
  public static ClusterConfigRecord clusterConfig(Membership membership) {
    Objects.requireNonNull(membership, "membership");
    return new ClusterConfigRecord(
        membership.clusterId(),
        Protocol.PROTOCOL_VERSION,
        membership.quorum().n(),
        membership.threshold(),
        List.copyOf(membership.members()));
  }

  /**
   * Stores {@code config} in etcd unless a config is there, and compares it otherwise.
   *
   * @param where the key or prefix, for the error message
   * @return {@link ConfigCheck#AGREED}, or {@link ConfigCheck#UNVERIFIED} if etcd did not answer
   *     within {@code timeout}
   * @throws ConfigMismatchException naming each difference
   */
  public static ConfigCheck checkConfig(
      EtcdCoordinator coordinator, ClusterConfigRecord config, String where, Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(coordinator, "coordinator");
    Objects.requireNonNull(config, "config");
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      long left = Math.max(1, deadline - System.nanoTime());
      try {
        ConfigResult r = coordinator.createConfigIfAbsent(config).get(left, TimeUnit.NANOSECONDS);
        if (r instanceof ConfigResult.Different d) {
          throw new ConfigMismatchException(where, d.differences());
        }
        LOG.info("etcd cluster config {} ({})", r.getClass().getSimpleName(), where);
        return ConfigCheck.AGREED;
      } catch (ExecutionException | TimeoutException e) {
        last = e;
        // A refused connection fails at once; wait a little before asking again.
        TimeUnit.MILLISECONDS.sleep(Math.min(200, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
    LOG.warn(
        "etcd did not confirm the cluster config within {} ({}); starting degraded: {}",
        timeout,
        where,
        last == null ? "no answer" : last.getMessage());
    return ConfigCheck.UNVERIFIED;
  }
}
