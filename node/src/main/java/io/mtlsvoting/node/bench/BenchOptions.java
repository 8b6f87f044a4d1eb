package io.mtlsvoting.node.bench;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link ClusterBench} runs: {@code txs} txs, open loop at {@code rate} tx/s when {@code rate >
 * 0}, else closed loop with {@code concurrency} txs in flight.
 *
 * @param ceiling also measure the Ed25519 verification ceiling on all cores
 * @param commitFloor also measure one database commit's latency before the load (when the driver
 *     reaches the nodes' database: in-process only), the latency floor of a decision
 * @param baselineEtcd when present, also run the seed design's etcd counting against it
 * @param memoryCheck whether to print heap after GC at every 10% of the txs completed, and how
 * @param progress where the progress line goes (null: none)
 * @param byzantineFraction 0..1: in that fraction of the txs (every {@link #attackEvery()}-th),
 *     {@code byzantineNode} double-votes instead of voting
 * @param byzantineNode the misbehaving member when {@code byzantineFraction > 0}
 */
public record BenchOptions(
    int txs,
    double rate,
    int concurrency,
    String txPrefix,
    boolean ceiling,
    Duration ceilingLength,
    boolean commitFloor,
    Optional<URI> baselineEtcd,
    MemoryCheck memoryCheck,
    Duration drainTimeout,
    PrintWriter progress,
    double byzantineFraction,
    int byzantineNode) {

  /** Heap points at every tenth of the txs completed. */
  public enum MemoryCheck {
    /** No heap points. */
    OFF,
    /** One point each, taken while the load runs (it includes the tallies of the last seconds). */
    UNDER_LOAD,
    /**
     * Two points each: one under load, then one after pausing the load until every tx started has
     * completed and the nodes hold no tally in memory (what stays on the heap for good).
     */
    SETTLED
  }

  public BenchOptions {
    Objects.requireNonNull(memoryCheck, "memoryCheck");
    if (txs < 1) {
      throw new IllegalArgumentException("txs must be >= 1");
    }
    if (rate <= 0 && concurrency < 1) {
      throw new IllegalArgumentException("give a rate > 0 or a concurrency >= 1");
    }
    if (!(byzantineFraction >= 0 && byzantineFraction <= 1)) {
      throw new IllegalArgumentException(
          "the Byzantine fraction must be between 0 and 1, got " + byzantineFraction);
    }
    if (byzantineFraction > 0 && byzantineNode < 1) {
      throw new IllegalArgumentException("a Byzantine fraction needs the id of the Byzantine node");
    }
  }

  /** Closed loop, ceiling and commit floor on, no baseline, no progress line. */
  public static BenchOptions closedLoop(int txs, int concurrency) {
    return new BenchOptions(
        txs,
        0,
        concurrency,
        "bench-" + Long.toString(System.currentTimeMillis(), 36) + "-",
        true,
        Duration.ofSeconds(2),
        true,
        Optional.empty(),
        MemoryCheck.OFF,
        Duration.ofSeconds(120),
        null,
        0,
        0);
  }

  /** The same run where {@code node} double-votes in {@code fraction} of the txs. */
  public BenchOptions withByzantine(double fraction, int node) {
    return new BenchOptions(
        txs,
        rate,
        concurrency,
        txPrefix,
        ceiling,
        ceilingLength,
        commitFloor,
        baselineEtcd,
        memoryCheck,
        drainTimeout,
        progress,
        fraction,
        node);
  }

  /** Tx i (from 0) is attacked when {@code (i + 1) % attackEvery() == 0}; 0 when none is. */
  public int attackEvery() {
    return byzantineFraction == 0 ? 0 : (int) Math.max(1, Math.round(1 / byzantineFraction));
  }

  /** Whether tx {@code i} (from 0) is one where the Byzantine node double-votes. */
  public boolean attacked(int i) {
    int every = attackEvery();
    return every > 0 && (i + 1) % every == 0;
  }

  public boolean openLoop() {
    return rate > 0;
  }
}
