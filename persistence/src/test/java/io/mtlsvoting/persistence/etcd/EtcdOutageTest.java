package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd stops and comes back: requests fail fast and clearly, then everything recovers by itself.
 */
class EtcdOutageTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration TTL = Duration.ofSeconds(2);
  private static final MemberInfo MEMBER =
      new MemberInfo("127.0.0.1:7001", "cd".repeat(32), Instant.parse("2025-01-01T00:00:00Z"));

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  @Test
  @SuppressWarnings("try") // the watch is only held open
  void operationsFailClearlyDuringAnOutageAndRecoverAfterIt() throws Exception {
    EtcdSettings s = ETCD.freshSettings(REQUEST_TIMEOUT, TTL);
    LinkedBlockingQueue<BanEvent> events = new LinkedBlockingQueue<>();
    try (EtcdCoordinator node = EtcdCoordinator.connect(s);
        EtcdCoordinator other = EtcdCoordinator.connect(s);
        EtcdCoordinator.Subscription watch = other.watchBans(events::add)) {
      Poll.until(WAIT, () -> assertTrue(node.isHealthy() && other.isHealthy()));
      // A failed first attempt is retried in the background; on a loaded machine it may be needed.
      node.registerMember(1, MEMBER);
      Poll.until(WAIT, () -> assertTrue(get(other.listMembers()).containsKey(1)));
      get(node.putBan(6, "{\"node\":6}"));
      assertEquals(6, events.poll(30, TimeUnit.SECONDS).nodeId());

      ETCD.stop();

      // Must fail, not hang: a generous bound over the 2 s request timeout.
      ExecutionException failed =
          assertThrows(
              ExecutionException.class,
              () ->
                  node.putConsensusIfAbsent("tx-outage", "{\"value\":1}")
                      .get(10, TimeUnit.SECONDS));
      EtcdUnavailableException cause =
          assertInstanceOf(EtcdUnavailableException.class, failed.getCause());
      assertTrue(cause.getMessage().contains("consensus/tx-outage"), cause.getMessage());
      assertTrue(cause.getMessage().contains(ETCD.endpoint().toString()), cause.getMessage());
      assertInstanceOf(
          EtcdUnavailableException.class,
          assertThrows(ExecutionException.class, () -> node.listMembers().get(10, TimeUnit.SECONDS))
              .getCause());
      Poll.until(WAIT, () -> assertFalse(node.isHealthy()));
      assertTrue(node.lastError().isPresent());

      ETCD.start();
      long restarted = System.nanoTime();

      Poll.until(
          WAIT,
          () ->
              assertInstanceOf(
                  ConsensusResult.Created.class,
                  get(node.putConsensusIfAbsent("tx-after", "{\"value\":2}"))));
      Poll.until(WAIT, () -> assertTrue(node.isHealthy()));
      // Listed well after any lease that survived the restart would have expired (3 TTLs):
      // only a re-established keep-alive or a new lease keeps it there.
      Poll.until(
          WAIT,
          () -> {
            assertTrue(get(other.listMembers()).containsKey(1), "member 1 not listed");
            assertTrue(System.nanoTime() - restarted > TTL.multipliedBy(3).toNanos());
          });
      get(node.putBan(7, "{\"node\":7}"));
      BanEvent seen = events.poll(30, TimeUnit.SECONDS);
      assertEquals(new BanEvent.Banned(7, "{\"node\":7}", seen.revision()), seen);
    }
  }
}
