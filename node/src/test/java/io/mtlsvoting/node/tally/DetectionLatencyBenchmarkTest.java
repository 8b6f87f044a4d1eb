package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Prints (does not assert) the detection latency of a double vote through the real path: the second
 * conflicting vote handed to the verifying ingress (Ed25519 verification on its pool) until the
 * journaled DOUBLE_VOTING event reaches the tally's listener (in-memory journal).
 */
class DetectionLatencyBenchmarkTest {
  static final Config CONFIG =
      ConfigFactory.parseString(
              "pekko.actor.serialization-bindings {\n"
                  + "  \"io.mtlsvoting.node.tally.TallySerializable\" = jackson-cbor\n"
                  + "}\n")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .resolve();
  static final ActorTestKit TESTKIT = ActorTestKit.create("DetectionLatency", CONFIG);

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  @Test
  void printDoubleVoteDetectionLatency() throws Exception {
    int rounds = Integer.getInteger("bench.rounds", 300);
    TestMembers keys = new TestMembers("bench", 5, 7);
    Map<String, CountDownLatch> counted = new ConcurrentHashMap<>();
    Map<String, CountDownLatch> detected = new ConcurrentHashMap<>();
    TallyListener listener =
        (e, after) -> {
          if (e instanceof TallyEvent.VoteCounted) {
            counted.get(e.txId()).countDown();
          } else if (e instanceof TallyEvent.DoubleVoteDetected) {
            detected.get(e.txId()).countDown();
          }
        };
    TallySettings settings = TallySettings.defaults(Duration.ofSeconds(30));
    TallyDeps deps =
        new TallyDeps(
            Membership.of("bench", 1, 5, 4),
            settings,
            new BanView(),
            listener,
            new TallyMetrics(),
            System::currentTimeMillis);
    var router = TESTKIT.spawn(VoteRouter.create(deps));
    long[] nanos = new long[rounds];
    try (VerifyingIngress ingress =
        VerifyingIngress.withVerifiers("bench", keys.verifiers, router, settings, deps.metrics())) {
      for (int i = 0; i < rounds; i++) {
        String tx = "dv-" + i;
        counted.put(tx, new CountDownLatch(1));
        detected.put(tx, new CountDownLatch(1));
        ingress.deliver(2, keys.vote(tx, 2, 7));
        assertEquals(true, counted.get(tx).await(30, TimeUnit.SECONDS), "first vote counted");
        long t0 = System.nanoTime();
        ingress.deliver(2, keys.vote(tx, 2, 8));
        assertEquals(true, detected.get(tx).await(30, TimeUnit.SECONDS), "double vote detected");
        nanos[i] = System.nanoTime() - t0;
      }
    }
    // The first rounds warm up the JIT; report the rest.
    long[] warm = Arrays.copyOfRange(nanos, rounds / 5, rounds);
    Arrays.sort(warm);
    System.out.printf(
        "double-vote detection latency over %d rounds (second vote at the ingress -> journaled"
            + " violation): p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        warm.length,
        warm[warm.length / 2] / 1e6,
        warm[(int) (warm.length * 0.99)] / 1e6,
        warm[warm.length - 1] / 1e6);
  }
}
