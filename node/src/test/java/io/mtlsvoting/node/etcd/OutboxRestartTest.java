package io.mtlsvoting.node.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.persistence.db.PostgresExtension;
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
 * The outbox is journaled: txs decided while etcd is down are committed after the node restarts (on
 * the JDBC journal) and etcd comes back.
 */
class OutboxRestartTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();
  @RegisterExtension static final PostgresExtension POSTGRES = new PostgresExtension();

  private static Config jdbc() {
    return ConfigFactory.parseString(
            """
            pekko.persistence.journal.plugin = "mtls-voting.persistence.journal"
            pekko.persistence.snapshot-store.plugin = "mtls-voting.persistence.snapshot"
            mtls-voting.persistence.db.pool-size = 4
            mtls-voting.persistence.jdbc-dispatcher.thread-pool-executor.fixed-pool-size = 4
            """)
        .withFallback(POSTGRES.dbConfig())
        .withFallback(TestCluster.baseConfig());
  }

  @Test
  void pendingCommitsSurviveARestartAndCompleteWhenEtcdReturns() throws Exception {
    EtcdSettings s = ETCD.freshSettings(Duration.ofSeconds(2), Duration.ofSeconds(4));
    EtcdWriterSettings fast =
        new EtcdWriterSettings(
            256, 8, 5, 64, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(30));
    ETCD.stop();
    List<String> txs = new ArrayList<>();
    try (TestCluster first = new TestCluster(jdbc(), s, fast)) {
      first.start(1);
      for (int i = 0; i < 12; i++) {
        String tx = "restart-" + i;
        txs.add(tx);
        first.decide(tx, 100 + i);
      }
      Poll.until(
          TestCluster.WAIT,
          () -> {
            assertTrue(first.nodes.get(1).seen().threshold.keySet().containsAll(txs));
            EtcdWriter.Status st = first.status(1);
            assertEquals(txs.size(), st.pending(), st.toString());
            // Stop only once the outbox has journaled them (buffered entries die with the system).
            assertEquals(0, st.unjournaled(), st.toString());
          });
    }

    ETCD.start();
    try (TestCluster second = new TestCluster(jdbc(), s, fast)) {
      TestCluster.Node node = second.start(1);
      Poll.until(
          TestCluster.WAIT,
          () -> assertTrue(node.seen().committed.keySet().containsAll(txs), "all committed"));
      Map<String, Long> versions = TestCluster.consensusVersions(s);
      assertEquals(txs.size(), versions.size());
      versions.values().forEach(v -> assertEquals(1L, v));
      Poll.until(TestCluster.WAIT, () -> assertEquals(0, second.status(1).pending()));
    }
  }
}
