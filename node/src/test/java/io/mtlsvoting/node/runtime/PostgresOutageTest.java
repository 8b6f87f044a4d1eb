package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.persistence.db.EmbeddedPostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five complete nodes journaling in one real PostgreSQL that is stopped for a few seconds while
 * every node keeps casting votes: each cast is acknowledged or refused with a clear error (none
 * hangs), nothing acknowledged is lost, health reports the outage, and the cluster recovers by
 * itself when the server is back on the same port and data directory.
 */
class PostgresOutageTest {
  private static final int NODES = 5;
  private static final int TXS = 300;
  private static final int STOP_AFTER = 100;
  private static final Duration OUTAGE = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long VALUE = 7L;
  private static final Duration PACE = Duration.ofMillis(60);

  @TempDir Path certs;
  @TempDir Path pgData;

  /** What one castVote ended with. */
  private record Outcome(String tx, int node, Object reply, Throwable error, long millis) {
    boolean acknowledged() {
      return reply instanceof VoteTally.CastAccepted || reply instanceof VoteTally.AlreadyVoted;
    }

    String describe() {
      if (error != null) {
        return error.toString();
      }
      return reply.toString();
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static String tx(int i) {
    return "outage-" + i;
  }

  private static CompletableFuture<Outcome> castAsync(TestCluster cluster, int node, String tx) {
    long start = System.nanoTime();
    return cluster
        .node(node)
        .context()
        .caster()
        .castVote(tx, VALUE)
        .toCompletableFuture()
        .handle(
            (reply, error) -> {
              Throwable cause =
                  error instanceof java.util.concurrent.CompletionException
                          && error.getCause() != null
                      ? error.getCause()
                      : error;
              return new Outcome(tx, node, reply, cause, (System.nanoTime() - start) / 1_000_000);
            });
  }

  private static Outcome cast(TestCluster cluster, int node, String tx) {
    long start = System.nanoTime();
    CompletableFuture<VoteTally.CastReply> f =
        cluster.node(node).context().caster().castVote(tx, VALUE).toCompletableFuture();
    try {
      // The ask itself is bounded by the node's ask-timeout; this only guards the test.
      VoteTally.CastReply reply = f.get(60, TimeUnit.SECONDS);
      return new Outcome(tx, node, reply, null, (System.nanoTime() - start) / 1_000_000);
    } catch (java.util.concurrent.ExecutionException e) {
      return new Outcome(tx, node, null, e.getCause(), (System.nanoTime() - start) / 1_000_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("castVote of node " + node + " for " + tx + " hung", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String health(TestCluster cluster, int node) {
    return cluster.node(node).context().health().snapshot().getOrDefault("postgres", "missing");
  }

  @Test
  void votesAreRefusedOrHeldDuringAnOutageAndNothingAcknowledgedIsLost() throws Exception {
    TestCluster.generateCerts(certs, NODES);
    int port = freePort();
    EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(pgData, port);
    ExecutorService casters = Executors.newFixedThreadPool(NODES + 1);
    try (TestCluster cluster =
        new TestCluster(certs, pg.jdbcUrl(), NODES, 4, Set.of())
            // No deadline may fire while votes are held or retried by the clients.
            .with("mtls-voting.vote-timeout", "10m")
            .with("mtls-voting.ask-timeout", "10s")
            // The five nodes share one pool in this JVM; give it room for all of them.
            .with("mtls-voting.persistence.db.pool-size", 20)) {
      // Decisions the nodes report (after journaling them) while the stream runs.
      Set<String> decided = ConcurrentHashMap.newKeySet();
      cluster.startAll(
          id ->
              List.of(
                  (event, after) -> {
                    if (after.phase() == Phase.THRESHOLD_REACHED) {
                      decided.add(after.txId() + "@" + id);
                    }
                  }));
      cluster.awaitMesh();

      // Load: one transaction every PACE, all five nodes casting without waiting for answers.
      List<CompletableFuture<Outcome>> pending = new ArrayList<>();
      AtomicInteger done = new AtomicInteger();
      Future<?> stream =
          casters.submit(
              () -> {
                for (int i = 0; i < TXS; i++) {
                  for (int node = 1; node <= NODES; node++) {
                    CompletableFuture<Outcome> o = castAsync(cluster, node, tx(i));
                    synchronized (pending) {
                      pending.add(o);
                    }
                  }
                  done.incrementAndGet();
                  Thread.sleep(PACE.toMillis()); // load generation, not synchronization
                }
                return null;
              });

      await("the first " + STOP_AFTER + " transactions sent", () -> done.get() >= STOP_AFTER);
      long stoppedAt = System.nanoTime();
      int doneAtStop = done.get();
      pg.close();
      Set<String> healthWhileDown = new HashSet<>();
      await(
          "node 1 to report postgres degraded",
          () -> {
            String h = health(cluster, 1);
            healthWhileDown.add(h);
            return h.startsWith("degraded");
          });
      // Keep the server down for the whole outage while the stream goes on.
      while (System.nanoTime() - stoppedAt < OUTAGE.toNanos()) {
        healthWhileDown.add(health(cluster, 2));
        Thread.sleep(200);
      }
      int doneWhileDown = done.get() - doneAtStop;
      pg = EmbeddedPostgresServer.start(pgData, port);
      long restartedAt = System.nanoTime();
      await(
          "postgres health ok at every node",
          () -> {
            for (int n = 1; n <= NODES; n++) {
              if (!health(cluster, n).equals("ok")) {
                return false;
              }
            }
            return true;
          });
      long healthyAfterMillis = (System.nanoTime() - restartedAt) / 1_000_000;
      stream.get(120, TimeUnit.SECONDS);
      List<Outcome> outcomes = new ArrayList<>();
      for (CompletableFuture<Outcome> f : pending) {
        // Each ask is bounded by the node's ask-timeout; this bound only guards the test.
        outcomes.add(f.get(60, TimeUnit.SECONDS));
      }
      long streamEndMillis = (System.nanoTime() - restartedAt) / 1_000_000;

      // Every cast completed: acknowledged, or refused / failed with a clear error.
      assertEquals(TXS * NODES, outcomes.size());
      List<Outcome> refused = new ArrayList<>();
      Map<String, Integer> kinds = new ConcurrentHashMap<>();
      long slowest = 0;
      for (Outcome o : outcomes) {
        slowest = Math.max(slowest, o.millis());
        String kind = o.acknowledged() ? "acknowledged" : o.describe().replaceAll(":.*", "");
        kinds.merge(kind, 1, Integer::sum);
        if (!o.acknowledged()) {
          refused.add(o);
        }
      }
      System.out.printf(
          "outage: %d txs sent before stop, %d during the %ds outage; outcomes %s; slowest cast"
              + " %d ms; health ok %d ms and all casts answered %d ms after restart; health while"
              + " down %s%n",
          doneAtStop,
          doneWhileDown,
          OUTAGE.toSeconds(),
          kinds,
          slowest,
          healthyAfterMillis,
          streamEndMillis,
          healthWhileDown);
      for (Outcome o : refused) {
        assertTrue(
            o.describe().contains("journal unavailable"),
            "a refusal must say the journal is unavailable: " + o.describe());
      }
      assertTrue(
          healthWhileDown.stream().anyMatch(h -> h.startsWith("degraded")),
          "health while down: " + healthWhileDown);

      // What the nodes reported decided by the end of the outage stream.
      Set<String> decidedAtCast = Set.copyOf(decided);

      // The clients retry what was refused; now it is accepted.
      for (Outcome o : refused) {
        Outcome again = cast(cluster, o.node(), o.tx());
        assertTrue(again.acknowledged(), "retry after recovery: " + again.describe());
      }

      // Every tx decides at every node and each tally holds all five votes: no peer vote lost.
      for (int i = 0; i < TXS; i++) {
        for (int n = 1; n <= NODES; n++) {
          TallyState s = awaitAllVotes(cluster, n, tx(i));
          assertEquals(Phase.THRESHOLD_REACHED, s.phase(), "node " + n + " " + tx(i) + ": " + s);
          assertEquals(VALUE, s.certificate().value());
        }
      }

      // New transactions after recovery decide normally everywhere.
      for (int i = TXS; i < TXS + 10; i++) {
        for (int n = 1; n <= NODES; n++) {
          Outcome o = cast(cluster, n, tx(i));
          assertTrue(o.acknowledged(), "after recovery: " + o.describe());
        }
        for (int n = 1; n <= NODES; n++) {
          TallyState s =
              cluster
                  .node(n)
                  .context()
                  .caster()
                  .awaitDecision(tx(i), WAIT)
                  .toCompletableFuture()
                  .get(90, TimeUnit.SECONDS);
          assertEquals(Phase.THRESHOLD_REACHED, s.phase(), "node " + n + " " + tx(i));
        }
      }

      // Every acknowledged own vote is journaled, and every decision reported is in the
      // journal's projection as THRESHOLD_REACHED.
      String url = pg.jdbcUrl();
      Set<String> acknowledged = new HashSet<>();
      for (Outcome o : outcomes) {
        if (o.acknowledged()) {
          acknowledged.add(o.tx() + "@" + o.node());
        }
      }
      await(
          "the audit projection of every acknowledged own vote",
          () -> projectedOwnVotes(url).containsAll(acknowledged));
      await(
          "the audit projection of every reported decision",
          () -> projectedDecisions(url).containsAll(decidedAtCast));
      System.out.printf(
          "outage: %d acknowledged own votes all journaled; %d decisions reported during the stream kept;"
              + " %d refused casts retried; held/dropped counters %s%n",
          acknowledged.size(), decidedAtCast.size(), refused.size(), heldCounters(cluster));
      for (int n = 1; n <= NODES; n++) {
        assertEquals(
            0L,
            cluster.node(n).context().metrics().get("journal.held-dropped"),
            "no held vote dropped at node " + n);
      }
    } finally {
      casters.shutdownNow();
      pg.close();
    }
  }

  private static Map<Integer, Map<String, Long>> heldCounters(TestCluster cluster) {
    Map<Integer, Map<String, Long>> out = new java.util.TreeMap<>();
    for (int n = 1; n <= NODES; n++) {
      Map<String, Long> m = new java.util.TreeMap<>();
      cluster
          .node(n)
          .context()
          .metrics()
          .snapshot()
          .forEach(
              (k, v) -> {
                if (k.startsWith("journal.")) {
                  m.put(k, v);
                }
              });
      out.put(n, m);
    }
    return out;
  }

  private static TallyState awaitAllVotes(TestCluster cluster, int node, String tx)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      TallyState s =
          cluster.node(node).context().caster().status(tx).toCompletableFuture().get(30, SECONDS);
      if (s.votes().size() == NODES) {
        return s;
      }
      if (System.nanoTime() > deadline) {
        long drops = 0;
        for (int n = 1; n <= NODES; n++) {
          drops +=
              TestCluster.peers(cluster.node(n)).peers().stream().mapToLong(p -> p.drops()).sum();
        }
        throw new AssertionError(
            "node "
                + node
                + " never held all votes of "
                + tx
                + " (mesh drops "
                + drops
                + "): "
                + s);
      }
      Thread.sleep(50);
    }
  }

  private static final TimeUnit SECONDS = TimeUnit.SECONDS;

  private static Set<String> query(String url, String sql) {
    Set<String> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement st = c.prepareStatement(sql);
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1) + "@" + rs.getInt(2));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static Set<String> projectedOwnVotes(String url) {
    return query(
        url,
        "SELECT tx_id, observed_by FROM votes WHERE node_id = observed_by AND counted"
            + " AND tx_id LIKE 'outage-%'");
  }

  private static Set<String> projectedDecisions(String url) {
    return query(
        url,
        "SELECT tx_id, observed_by FROM transactions WHERE state IN ('THRESHOLD_REACHED',"
            + " 'COMMITTED') AND tx_id LIKE 'outage-%'");
  }
}
