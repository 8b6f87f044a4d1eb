package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consensus keys carry a lease so they leave etcd after {@code consensus-retention}; the cluster
 * config never does. Against a real etcd; every test works under its own key prefix.
 */
class ConsensusRetentionTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final ClusterConfigRecord CONFIG =
      new ClusterConfigRecord("c1", 1, 5, 4, List.of(1, 2, 3, 4, 5));
  private static final String QC = "{\"value\":42,\"voters\":[1,2,3,4]}";

  private static Client raw;

  @BeforeAll
  static void rawClient() {
    raw = Client.builder().endpoints(ETCD.endpoint()).build();
  }

  @AfterAll
  static void closeRaw() {
    raw.close();
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static EtcdSettings settings(Duration retention) {
    return ETCD.freshSettings(Duration.ofSeconds(5), Duration.ofSeconds(2))
        .withConsensusRetention(retention);
  }

  /** The stored key, or empty. */
  private static Optional<KeyValue> key(String key) throws Exception {
    List<KeyValue> kvs = get(raw.getKVClient().get(EtcdKeys.bytes(key))).getKvs();
    return kvs.isEmpty() ? Optional.empty() : Optional.of(kvs.get(0));
  }

  private static long leaseOf(String key) throws Exception {
    return key(key).orElseThrow(() -> new AssertionError(key + " is not in etcd")).getLease();
  }

  private static Map<String, String> batch(String... txs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String tx : txs) {
      m.put(tx, QC);
    }
    return m;
  }

  @Test
  void consensusKeysLeaveEtcdAfterTheRetentionButTheConfigStays() throws Exception {
    EtcdSettings s = settings(Duration.ofSeconds(2));
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      get(c.createConfigIfAbsent(CONFIG));
      assertInstanceOf(ConsensusResult.Created.class, get(c.putConsensusIfAbsent("one", QC)));
      get(c.putConsensusIfAbsent(batch("b1", "b2")))
          .values()
          .forEach(r -> assertInstanceOf(ConsensusResult.Created.class, r));
      for (String tx : List.of("one", "b1", "b2")) {
        long lease = leaseOf(s.prefix() + "consensus/" + tx);
        assertNotEquals(0, lease, tx);
        // Granted for the retention plus the rotation (2 s + 1 s).
        assertEquals(
            3,
            get(raw.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT)).getGrantedTTL(),
            tx);
      }
      assertEquals(0, leaseOf(s.prefix() + "config"));
      Poll.until(
          Duration.ofSeconds(30),
          () -> {
            for (String tx : List.of("one", "b1", "b2")) {
              assertEquals(Optional.empty(), get(c.getConsensus(tx)), tx);
            }
          });
      assertTrue(key(s.prefix() + "config").isPresent());
    }
  }

  @Test
  void keysStoredWithinOneRotationShareOneLeaseCoveringTheRetention() throws Exception {
    EtcdSettings s = settings(Duration.ofHours(1));
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      get(c.putConsensusIfAbsent("s1", QC));
      get(c.putConsensusIfAbsent(batch("s2", "s3")));
      long lease = leaseOf(s.prefix() + "consensus/s1");
      assertEquals(lease, leaseOf(s.prefix() + "consensus/s2"));
      assertEquals(lease, leaseOf(s.prefix() + "consensus/s3"));
      // 1 h plus a rotation of 1 minute (a tenth of an hour is more than the 1-minute cap).
      assertEquals(
          3660, get(raw.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT)).getGrantedTTL());
    }
  }

  @Test
  void aNewLeaseServesTheKeysStoredAfterEachRotation() throws Exception {
    // 10 s retention: a new lease every second.
    EtcdSettings s = settings(Duration.ofSeconds(10));
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      get(c.putConsensusIfAbsent("n0", QC));
      long first = leaseOf(s.prefix() + "consensus/n0");
      int[] next = {1};
      Poll.until(
          Duration.ofSeconds(30),
          () -> {
            String tx = "n" + next[0]++;
            get(c.putConsensusIfAbsent(tx, QC));
            assertNotEquals(first, leaseOf(s.prefix() + "consensus/" + tx), tx);
          });
    }
  }

  @Test
  void aLeaseEtcdNoLongerKnowsIsReplacedAndTheQcsAreStillStored() throws Exception {
    EtcdSettings s = settings(Duration.ofHours(1));
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      get(c.putConsensusIfAbsent("r1", QC));
      long first = leaseOf(s.prefix() + "consensus/r1");
      // An operator revokes it: its keys go, and the coordinator still holds it as current.
      get(raw.getLeaseClient().revoke(first));
      assertEquals(Optional.empty(), key(s.prefix() + "consensus/r1"));
      assertInstanceOf(ConsensusResult.Created.class, get(c.putConsensusIfAbsent("r2", QC)));
      long second = leaseOf(s.prefix() + "consensus/r2");
      assertNotEquals(0, second);
      assertNotEquals(first, second);
      // The same for a batch.
      get(raw.getLeaseClient().revoke(second));
      get(c.putConsensusIfAbsent(batch("r3", "r4")))
          .values()
          .forEach(r -> assertInstanceOf(ConsensusResult.Created.class, r));
      long third = leaseOf(s.prefix() + "consensus/r3");
      assertNotEquals(0, third);
      assertNotEquals(second, third);
      assertEquals(third, leaseOf(s.prefix() + "consensus/r4"));
    }
  }

  @Test
  void withRetentionOffConsensusKeysHaveNoLease() throws Exception {
    EtcdSettings s = settings(Duration.ZERO);
    try (EtcdCoordinator c = EtcdCoordinator.connect(s)) {
      get(c.putConsensusIfAbsent("k1", QC));
      get(c.putConsensusIfAbsent(batch("k2", "k3")));
      for (String tx : List.of("k1", "k2", "k3")) {
        assertEquals(0, leaseOf(s.prefix() + "consensus/" + tx), tx);
      }
    }
  }
}
