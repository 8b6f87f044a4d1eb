package io.mtlsvoting.node.etcd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.etcd.EtcdExtension;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import io.mtlsvoting.persistence.etcd.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Prints (does not assert) the time from THRESHOLD_REACHED to COMMITTED on five nodes sharing one
 * local etcd, at a steady rate (default 300 transactions at 30 tx/s; in-memory journal).
 */
class CommitLatencyTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  // 5 node stacks share this JVM; on a 2-CPU machine the in-memory tally path saturates near
  // 30 tx/s (x 5 nodes). Run -Dlatency.txs=1000 -Dlatency.rate=100 on a larger machine.
  private static final int TXS = Integer.getInteger("latency.txs", 300);
  private static final int PER_SECOND = Integer.getInteger("latency.rate", 30);

  @Test
  void printsThresholdToCommitLatency() throws Exception {
    EtcdSettings s = ETCD.freshSettings(Duration.ofSeconds(5), Duration.ofSeconds(10));
    try (TestCluster c = TestCluster.inMemory(s)) {
      c.startAll();
      Poll.until(TestCluster.WAIT, () -> assertTrue(c.status(1).configAgreed()));
      List<String> txs = new ArrayList<>();
      long start = System.nanoTime();
      long interval = TimeUnit.SECONDS.toNanos(1) / PER_SECOND;
      for (int i = 0; i < TXS; i++) {
        // Pacing the load generator, not waiting for a result.
        LockSupport.parkNanos(start + i * interval - System.nanoTime());
        String tx = "lat-" + i;
        txs.add(tx);
        c.decide(tx, i);
      }
      System.out.println(
          "sent "
              + TXS
              + " in "
              + (System.nanoTime() - start) / 1e9
              + " s; "
              + c.nodes.get(1).seen().threshold.size()
              + " decided, "
              + c.nodes.get(1).seen().committed.size()
              + " committed on node 1");
      Poll.until(
          TestCluster.WAIT,
          () -> {
            for (TestCluster.Node n : c.nodes.values()) {
              assertTrue(
                  n.seen().committed.keySet().containsAll(txs),
                  () ->
                      "node "
                          + n.id()
                          + ": "
                          + n.seen().threshold.size()
                          + " decided, "
                          + n.seen().committed.size()
                          + " committed, "
                          + c.status(n.id()));
            }
          });
      double seconds = (System.nanoTime() - start) / 1e9;
      List<Long> micros = new ArrayList<>();
      for (TestCluster.Node n : c.nodes.values()) {
        for (String tx : txs) {
          micros.add((n.seen().committed.get(tx) - n.seen().threshold.get(tx)) / 1_000);
        }
      }
      Collections.sort(micros);
      System.out.printf(
          "THRESHOLD_REACHED -> COMMITTED, %d tx x 5 nodes at ~%d tx/s (%.1f s):"
              + " p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          TXS,
          PER_SECOND,
          seconds,
          percentile(micros, 0.50) / 1000.0,
          percentile(micros, 0.99) / 1000.0,
          micros.get(micros.size() - 1) / 1000.0);
    }
  }

  private static long percentile(List<Long> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
