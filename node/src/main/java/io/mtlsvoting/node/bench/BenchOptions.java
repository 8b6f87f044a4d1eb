package io.mtlsvoting.node.bench;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@link ClusterBench} runs: {@code txs} txs, open loop at {@code rate} tx/s when {@code rate >
 * 0}, else closed loop with {@code concurrency} txs in flight.
 *
 * @param ceiling also measure the Ed25519 verification ceiling on all cores
 * @param baselineEtcd when present, also run the seed design's etcd counting against it
 * @param memoryCheck print heap after GC at 10% and 100% of the txs
 * @param progress where the progress line goes (null: none)
 */
public record BenchOptions(
    int txs,
    double rate,
    int concurrency,
    String txPrefix,
    boolean ceiling,
    Duration ceilingLength,
    Optional<URI> baselineEtcd,
    boolean memoryCheck,
    Duration drainTimeout,
    PrintStream progress) {

  public BenchOptions {
    if (txs < 1) {
      throw new IllegalArgumentException("txs must be >= 1");
    }
    if (rate <= 0 && concurrency < 1) {
      throw new IllegalArgumentException("give a rate > 0 or a concurrency >= 1");
    }
  }

  /** Closed loop, ceiling on, no baseline, no progress line. */
  public static BenchOptions closedLoop(int txs, int concurrency) {
    return new BenchOptions(
        txs,
        0,
        concurrency,
        "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-",
        true,
        Duration.ofSeconds(2),
        Optional.empty(),
        false,
        Duration.ofSeconds(120),
        null);
  }

  public boolean openLoop() {
    return rate > 0;
  }
}
