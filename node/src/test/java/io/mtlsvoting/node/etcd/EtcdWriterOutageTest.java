package io.mtlsvoting.node.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.persistence.etcd.EtcdExtension;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import io.mtlsvoting.persistence.etcd.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd stops in the middle of a stream of transactions: the nodes keep deciding, queue the etcd
 * work, report it, and commit everything exactly once after etcd returns.
 */
class EtcdWriterOutageTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  @Test
  void decisionsContinueDuringAnOutageAndAllCommitOnceAfterIt() throws Exception {
    EtcdSettings s = ETCD.freshSettings(Duration.ofSeconds(2), Duration.ofSeconds(4));
    try (TestCluster c = TestCluster.inMemory(s)) {
      c.startAll();
      List<String> before = stream(c, "before-", 50);
      awaitAll(c, before, true);

      ETCD.stop();
      List<String> during = stream(c, "during-", 100);
      // The vote path does not wait for etcd: every node decides every tx while etcd is down.
      awaitAll(c, during, false);
      Poll.until(
          TestCluster.WAIT,
          () -> {
            EtcdWriter.Status st = c.status(1);
            assertFalse(st.healthy(), st.toString());
            assertEquals(100, st.pending(), st.toString());
            assertTrue(st.lastError().isPresent(), st.toString());
          });
      for (TestCluster.Node n : c.nodes.values()) {
        for (String tx : during) {
          assertFalse(n.seen().committed.containsKey(tx), tx + " committed without etcd");
        }
      }

      ETCD.start();
      List<String> after = stream(c, "after-", 50);
      List<String> all = new ArrayList<>(before);
      all.addAll(during);
      all.addAll(after);
      awaitAll(c, all, true);

      Map<String, Long> versions = TestCluster.consensusVersions(s);
      assertEquals(all.size(), versions.size());
      for (String tx : all) {
        assertEquals(1L, versions.get(tx), tx + " written once");
      }
      for (TestCluster.Node n : c.nodes.values()) {
        assertTrue(n.seen().alarms.isEmpty(), "no alarms on node " + n.id());
      }
      Poll.until(
          TestCluster.WAIT,
          () -> {
            EtcdWriter.Status st = c.status(1);
            assertTrue(st.healthy(), st.toString());
            assertEquals(0, st.pending(), st.toString());
          });
    }
  }

  private static List<String> stream(TestCluster c, String prefix, int count) {
    List<String> txs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String tx = prefix + i;
      txs.add(tx);
      c.decide(tx, i);
    }
    return txs;
  }

  private static void awaitAll(TestCluster c, List<String> txs, boolean committed)
      throws InterruptedException {
    Poll.until(
        TestCluster.WAIT,
        () -> {
          for (TestCluster.Node n : c.nodes.values()) {
            Map<String, Long> seen = committed ? n.seen().committed : n.seen().threshold;
            for (String tx : txs) {
              assertTrue(seen.containsKey(tx), "node " + n.id() + " " + tx);
            }
          }
        });
  }
}
