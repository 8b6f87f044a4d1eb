package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The coordinator against a real etcd; every test works under its own key prefix. */
class EtcdCoordinatorTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ClusterConfigRecord CONFIG =
      new ClusterConfigRecord("c1", 1, 5, 4, List.of(1, 2, 3, 4, 5));
  private static final MemberInfo MEMBER =
      new MemberInfo("127.0.0.1:7001", "ab".repeat(32), Instant.parse("2025-01-01T00:00:00Z"));

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static EtcdCoordinator coordinator(EtcdSettings s) {
    return EtcdCoordinator.connect(s);
  }

  private static EtcdSettings settings() {
    return ETCD.freshSettings(Duration.ofSeconds(5), Duration.ofSeconds(2));
  }

  @Test
  void configIsCreatedOnceThenFoundSameOrDifferent() throws Exception {
    EtcdSettings s = settings();
    try (EtcdCoordinator a = coordinator(s);
        EtcdCoordinator b = coordinator(s)) {
      assertInstanceOf(ConfigResult.Created.class, get(a.createConfigIfAbsent(CONFIG)));
      assertInstanceOf(ConfigResult.SameExisting.class, get(b.createConfigIfAbsent(CONFIG)));
      ClusterConfigRecord other = new ClusterConfigRecord("c1", 1, 5, 3, List.of(5, 4, 3, 2, 1));
      ConfigResult.Different d =
          assertInstanceOf(ConfigResult.Different.class, get(b.createConfigIfAbsent(other)));
      assertEquals(CONFIG, d.existing());
      assertEquals(List.of("threshold: etcd has 4, this node has 3"), d.differences());
    }
  }

  @Test
  void configDifferencesNameEveryField() throws Exception {
    try (EtcdCoordinator a = coordinator(settings())) {
      get(a.createConfigIfAbsent(CONFIG));
      ClusterConfigRecord other = new ClusterConfigRecord("c2", 2, 6, 5, List.of(1, 2, 3, 4, 6, 7));
      ConfigResult.Different d =
          assertInstanceOf(ConfigResult.Different.class, get(a.createConfigIfAbsent(other)));
      assertEquals(
          List.of(
              "cluster-id: etcd has c1, this node has c2",
              "protocol-version: etcd has 1, this node has 2",
              "total-nodes: etcd has 5, this node has 6",
              "threshold: etcd has 4, this node has 5",
              "member-ids: etcd has [1, 2, 3, 4, 5], this node has [1, 2, 3, 4, 6, 7]"),
          d.differences());
    }
  }

  @Test
  void unreadableStoredConfigFailsTheCheckNamingTheKey() throws Exception {
    EtcdSettings s = settings();
    try (Client raw = Client.builder().endpoints(ETCD.endpoint()).build();
        EtcdCoordinator a = coordinator(s)) {
      raw.getKVClient()
          .put(EtcdKeys.bytes(s.prefix() + "config"), EtcdKeys.bytes("threshold=4"))
          .get(30, TimeUnit.SECONDS);
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> get(a.createConfigIfAbsent(CONFIG)));
      EtcdCoordinationException cause =
          assertInstanceOf(EtcdCoordinationException.class, e.getCause());
      assertTrue(cause.getMessage().contains(s.prefix() + "config holds no readable"));
    }
  }

  @Test
  void consensusIsCreatedOnceSameValueIsSameAndOtherValueConflicts() throws Exception {
    try (EtcdCoordinator a = coordinator(settings())) {
      String qc = "{\"txId\":\"tx-1\",\"value\":42,\"voters\":[1,2,3,4]}";
      assertInstanceOf(ConsensusResult.Created.class, get(a.putConsensusIfAbsent("tx-1", qc)));
      assertEquals(new ConsensusResult.SameExisting(qc), get(a.putConsensusIfAbsent("tx-1", qc)));
      String otherVoters = "{\"txId\":\"tx-1\",\"value\":42,\"voters\":[2,3,4,5]}";
      assertEquals(
          new ConsensusResult.SameExisting(qc), get(a.putConsensusIfAbsent("tx-1", otherVoters)));
      String conflicting = "{\"txId\":\"tx-1\",\"value\":43,\"voters\":[2,3,4,5]}";
      assertEquals(
          new ConsensusResult.Conflict(qc), get(a.putConsensusIfAbsent("tx-1", conflicting)));
      assertEquals(Optional.of(qc), get(a.getConsensus("tx-1")));
      assertEquals(Optional.empty(), get(a.getConsensus("tx-unknown")));
    }
  }

  @Test
  void aBatchIsStoredWhenAllAreAbsentAndAnsweredPerTxWhenSomeExist() throws Exception {
    EtcdSettings s = settings();
    try (Client raw = Client.builder().endpoints(ETCD.endpoint()).build();
        EtcdCoordinator a = coordinator(s)) {
      Map<String, String> first = new LinkedHashMap<>();
      for (int i = 1; i <= 3; i++) {
        first.put("b-" + i, "{\"value\":" + i + "}");
      }
      Map<String, ConsensusResult> created = get(a.putConsensusIfAbsent(first));
      assertEquals(first.keySet(), created.keySet());
      created.values().forEach(r -> assertInstanceOf(ConsensusResult.Created.class, r));
      for (int i = 1; i <= 3; i++) {
        assertEquals(Optional.of(first.get("b-" + i)), get(a.getConsensus("b-" + i)));
      }
      // Mixed: b-1 the same decision, b-2 a different one, b-4 and b-5 not stored yet.
      Map<String, String> second = new LinkedHashMap<>();
      second.put("b-1", "{\"value\":1,\"voters\":[2,3,4,5]}");
      second.put("b-2", "{\"value\":99}");
      second.put("b-4", "{\"value\":4}");
      second.put("b-5", "{\"value\":5}");
      Map<String, ConsensusResult> mixed = get(a.putConsensusIfAbsent(second));
      assertEquals(new ConsensusResult.SameExisting("{\"value\":1}"), mixed.get("b-1"));
      assertEquals(new ConsensusResult.Conflict("{\"value\":2}"), mixed.get("b-2"));
      assertInstanceOf(ConsensusResult.Created.class, mixed.get("b-4"));
      assertInstanceOf(ConsensusResult.Created.class, mixed.get("b-5"));
      assertEquals(Optional.of("{\"value\":2}"), get(a.getConsensus("b-2")), "never overwritten");
      assertEquals(Optional.of("{\"value\":5}"), get(a.getConsensus("b-5")));
      // The absent ones of a mixed batch are created by the same request, not retried one by one.
      assertEquals(
          modRevision(raw, s.prefix() + "consensus/b-4"),
          modRevision(raw, s.prefix() + "consensus/b-5"),
          "b-4 and b-5 stored in one etcd transaction");
      assertTrue(
          modRevision(raw, s.prefix() + "consensus/b-1")
              < modRevision(raw, s.prefix() + "consensus/b-4"));
    }
  }

  private static long modRevision(Client raw, String key) throws Exception {
    var kvs = raw.getKVClient().get(EtcdKeys.bytes(key)).get(30, TimeUnit.SECONDS).getKvs();
    assertEquals(1, kvs.size(), key + " is stored");
    return kvs.get(0).getModRevision();
  }

  @Test
  void callerComparatorDecidesSameness() throws Exception {
    try (EtcdCoordinator a = coordinator(settings())) {
      get(a.putConsensusIfAbsent("tx-2", "A:1"));
      assertEquals(
          new ConsensusResult.SameExisting("A:1"),
          get(a.putConsensusIfAbsent("tx-2", "B:1", (x, y) -> x.endsWith(y.substring(1)))));
      assertEquals(
          new ConsensusResult.Conflict("A:1"), get(a.putConsensusIfAbsent("tx-2", "not json")));
    }
  }

  @Test
  void concurrentCreatesFromFourNodesCreateEachKeyExactlyOnce() throws Exception {
    EtcdSettings s = settings();
    List<EtcdCoordinator> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        nodes.add(coordinator(s));
      }
      List<CompletableFuture<ConsensusResult>> all = new ArrayList<>();
      for (int op = 0; op < 200; op++) {
        String tx = "tx-" + (op % 50);
        String qc = "{\"value\":" + (op % 50) + ",\"by\":" + (op % 4) + "}";
        all.add(nodes.get(op % 4).putConsensusIfAbsent(tx, qc));
      }
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      long created = all.stream().filter(f -> f.join() instanceof ConsensusResult.Created).count();
      long same =
          all.stream().filter(f -> f.join() instanceof ConsensusResult.SameExisting).count();
      assertEquals(50, created);
      assertEquals(150, same);
      for (int k = 0; k < 50; k++) {
        assertTrue(get(nodes.get(0).getConsensus("tx-" + k)).isPresent());
      }
    } finally {
      nodes.forEach(EtcdCoordinator::close);
    }
  }

  @Test
  void memberIsListedWhileRegisteredAndGoneAfterClose() throws Exception {
    EtcdSettings s = settings();
    try (EtcdCoordinator observer = coordinator(s)) {
      EtcdCoordinator node = coordinator(s);
      get(node.registerMember(3, MEMBER));
      assertEquals(Map.of(3, MEMBER), get(observer.listMembers()));
      node.close();
      assertEquals(Map.of(), get(observer.listMembers()));
      try (EtcdCoordinator again = coordinator(s)) {
        get(again.registerMember(3, MEMBER));
        assertEquals(Map.of(3, MEMBER), get(observer.listMembers()));
        assertThrows(IllegalStateException.class, () -> again.registerMember(3, MEMBER));
        get(again.deregisterMember(3));
        assertEquals(Map.of(), get(observer.listMembers()));
      }
    }
  }

  @Test
  void memberDisappearsWhenKeepAliveStopsAndTtlRunsOut() throws Exception {
    EtcdSettings s = settings();
    try (EtcdCoordinator observer = coordinator(s);
        EtcdCoordinator node = coordinator(s)) {
      long registered = System.nanoTime();
      get(node.registerMember(4, MEMBER, Duration.ofSeconds(2)));
      // Observed for twice the TTL: only the keep-alive can keep the member listed that long.
      Poll.until(
          WAIT,
          () -> {
            assertTrue(get(observer.listMembers()).containsKey(4), "member 4 expired early");
            assertTrue(System.nanoTime() - registered > Duration.ofSeconds(4).toNanos());
          });
      ((JetcdCoordinator) node).abandonMember(4);
      Poll.until(WAIT, () -> assertFalse(get(observer.listMembers()).containsKey(4)));
      get(node.registerMember(4, MEMBER, Duration.ofSeconds(2)));
      assertEquals(Map.of(4, MEMBER), get(observer.listMembers()));
    }
  }

  @Test
  @SuppressWarnings("try") // the watch is only held open
  void bansAreSeenByAnotherCoordinatorsWatch() throws Exception {
    EtcdSettings s = settings();
    LinkedBlockingQueue<BanEvent> events = new LinkedBlockingQueue<>();
    try (EtcdCoordinator a = coordinator(s);
        EtcdCoordinator b = coordinator(s)) {
      get(a.putBan(2, "{\"node\":2,\"reason\":\"DOUBLE_VOTING\"}"));
      try (EtcdCoordinator.Subscription watch = b.watchBans(events::add)) {
        BanEvent initial = events.poll(30, TimeUnit.SECONDS);
        assertEquals(2, initial.nodeId());
        assertInstanceOf(BanEvent.Banned.class, initial);
        get(a.putBan(5, "{\"node\":5,\"reason\":\"INVALID_SIGNATURE\"}"));
        BanEvent.Banned banned =
            assertInstanceOf(BanEvent.Banned.class, events.poll(30, TimeUnit.SECONDS));
        assertEquals(5, banned.nodeId());
        assertEquals("{\"node\":5,\"reason\":\"INVALID_SIGNATURE\"}", banned.banJson());
        assertEquals(
            Map.of(2, "{\"node\":2,\"reason\":\"DOUBLE_VOTING\"}", 5, banned.banJson()),
            get(b.listBans()));
        assertTrue(get(a.deleteBan(5)));
        assertFalse(get(a.deleteBan(5)));
        BanEvent.Unbanned unbanned =
            assertInstanceOf(BanEvent.Unbanned.class, events.poll(30, TimeUnit.SECONDS));
        assertEquals(5, unbanned.nodeId());
        assertTrue(unbanned.revision() > banned.revision());
        assertEquals(Map.of(2, "{\"node\":2,\"reason\":\"DOUBLE_VOTING\"}"), get(b.listBans()));
      }
    }
  }

  @Test
  void healthyWhileEtcdAnswers() throws Exception {
    try (EtcdCoordinator a = coordinator(settings())) {
      Poll.until(WAIT, () -> assertTrue(a.isHealthy()));
      assertEquals(Optional.empty(), a.lastError());
    }
  }
}
