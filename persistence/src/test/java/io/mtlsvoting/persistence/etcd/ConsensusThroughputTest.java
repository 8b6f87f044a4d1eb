package io.mtlsvoting.persistence.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Prints create-if-absent throughput on this machine: one at a time versus 64 outstanding. Figures
 * go to stdout (target/surefire-reports/*ConsensusThroughputTest-output.txt); the test asserts only
 * that every key was created exactly once.
 */
class ConsensusThroughputTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final int SEQUENTIAL = 1_000;
  private static final int PIPELINED = 10_000;
  private static final int WINDOW = 64;

  @Test
  void sequentialVersusSixtyFourOutstanding() throws Exception {
    // Without a logback config gRPC logs every HTTP/2 frame at DEBUG, which would dominate.
    ((Logger) LoggerFactory.getLogger("io.grpc")).setLevel(Level.INFO);
    ((Logger) LoggerFactory.getLogger("io.netty")).setLevel(Level.INFO);
    try (EtcdCoordinator c =
        EtcdCoordinator.connect(ETCD.freshSettings(Duration.ofSeconds(5), Duration.ofSeconds(2)))) {
      run(c, "warmup", 500, WINDOW);
      double sequential = run(c, "seq", SEQUENTIAL, 1);
      double pipelined = run(c, "pipe", PIPELINED, WINDOW);
      System.out.printf(
          "etcd create-if-absent: sequential %.0f ops/s (%.2f ms/op, %d ops); %d outstanding %.0f"
              + " ops/s (%d ops)%n",
          sequential, 1000.0 / sequential, SEQUENTIAL, WINDOW, pipelined, PIPELINED);
    }
  }

  /** Runs {@code total} creates with {@code window} outstanding; returns operations per second. */
  private static double run(EtcdCoordinator c, String tag, int total, int window) throws Exception {
    AtomicInteger next = new AtomicInteger();
    LongAdder created = new LongAdder();
    CompletableFuture<?>[] lanes = new CompletableFuture<?>[window];
    long start = System.nanoTime();
    for (int i = 0; i < window; i++) {
      lanes[i] = lane(c, tag, total, next, created);
    }
    CompletableFuture.allOf(lanes).get(120, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(total, created.sum());
    return total / seconds;
  }

  /** One lane issues its next create when the previous one completes. */
  private static CompletableFuture<Void> lane(
      EtcdCoordinator c, String tag, int total, AtomicInteger next, LongAdder created) {
    int i = next.getAndIncrement();
    if (i >= total) {
      return CompletableFuture.completedFuture(null);
    }
    return c.putConsensusIfAbsent(tag + "-" + i, "{\"value\":" + i + "}")
        .thenCompose(
            r -> {
              if (r instanceof ConsensusResult.Created) {
                created.increment();
              }
              return lane(c, tag, total, next, created);
            });
  }
}
