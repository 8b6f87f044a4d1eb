package io.mtlsvoting.node.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs K txs through a cluster (every member votes the same value), open loop at a target rate or
 * closed loop with W txs in flight, and reports throughput and latencies, next to the Ed25519
 * verification ceiling and the seed design's etcd counting measured in the same run.
 */
public final class ClusterBench {
  private static final long VALUE = 42L;

  private final BenchDriver driver;
  private final BenchRecorder recorder;
  private final BenchOptions options;
  private final LongAdder castErrors = new LongAdder();
  private final LongAdder started = new LongAdder();

  /** {@code recorder} must be the one whose listeners the driver's nodes report to. */
  public ClusterBench(BenchDriver driver, BenchRecorder recorder, BenchOptions options) {
    this.driver = driver;
    this.recorder = recorder;
    this.options = options;
  }

  /** Runs the benchmark and returns the report. */
  public BenchReport run() throws InterruptedException {
    double loadBefore = load();
    int n = driver.members().size();
    VerifyCeiling.Result ceiling = null;
    if (options.ceiling()) {
      progress("measuring the Ed25519 verification ceiling...");
      ceiling =
          VerifyCeiling.measure(
              Runtime.getRuntime().availableProcessors(),
              Duration.ofMillis(500),
              options.ceilingLength());
    }
    recorder.expectCommits(driver.commits());
    Semaphore window =
        new Semaphore(options.openLoop() ? Integer.MAX_VALUE : options.concurrency());
    recorder.onComplete(options.openLoop() ? tx -> {} : tx -> window.release());
    List<BenchReport.MemoryPoint> memory = new ArrayList<>();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "bench-progress");
              t.setDaemon(true);
              return t;
            });
    long start = System.nanoTime();
    if (options.progress() != null) {
      ticker.scheduleAtFixedRate(() -> progressLine(start), 1, 1, TimeUnit.SECONDS);
    }
    int tenth = Math.max(1, options.txs() / 10);
    boolean tenthMeasured = false;
    try {
      for (int i = 0; i < options.txs(); i++) {
        if (options.openLoop()) {
          long due = start + (long) (i * 1e9 / options.rate());
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        } else if (!window.tryAcquire(options.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
          progress("no tx completed within " + options.drainTimeout() + "; stopping the load");
          break;
        }
        String tx = options.txPrefix() + i;
        recorder.begin(tx);
        for (int id : driver.members()) {
          recorder.cast(tx, id, System.nanoTime());
          try {
            driver
                .cast(id, tx, VALUE)
                .whenComplete(
                    (r, e) -> {
                      if (e != null) {
                        castErrors.increment();
                      }
                    });
          } catch (RuntimeException e) {
            castErrors.increment();
          }
        }
        started.increment();
        if (options.memoryCheck() && !tenthMeasured && recorder.completedTxs.sum() >= tenth) {
          tenthMeasured = true;
          memory.add(heapPoint("10%"));
        }
      }
      long deadline = System.nanoTime() + options.drainTimeout().toNanos();
      while (recorder.completedTxs.sum() < options.txs() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    } finally {
      ticker.shutdownNow();
    }
    long end =
        driver.commits() ? recorder.lastCommittedNanos.get() : recorder.lastDecidedNanos.get();
    if (end == 0) {
      end = System.nanoTime();
    }
    double seconds = (end - start) / 1e9;
    double decidedSeconds = (recorder.lastDecidedNanos.get() - start) / 1e9;
    if (options.memoryCheck()) {
      if (!tenthMeasured) {
        memory.add(heapPoint("10%"));
      }
      memory.add(heapPoint("100%"));
    }
    long decided = recorder.decidedTxs.sum();
    long committed = recorder.committedTxs.sum();
    double decidedPerS = decidedSeconds > 0 ? decided / decidedSeconds : 0;
    EtcdSeedBaseline.Result baseline = null;
    if (options.baselineEtcd().isPresent()) {
      progress("running the seed design baseline (votes counted in etcd)...");
      baseline =
          EtcdSeedBaseline.run(
              options.baselineEtcd().get(),
              driver.members(),
              driver.threshold(),
              options.txs(),
              options.openLoop() ? 64 : options.concurrency(),
              "/mtls-voting-bench-seed/" + options.txPrefix());
    }
    Double bound = null;
    Double fraction = null;
    if (ceiling != null) {
      bound = ceiling.verifiesPerS() / (n * (double) (n - 1));
      fraction = decidedPerS / bound;
    }
    return new BenchReport(
        new BenchReport.Setup(
            n,
            driver.threshold(),
            options.txs(),
            options.openLoop() ? "open" : "closed",
            options.rate(),
            options.concurrency(),
            driver.commits()),
        seconds,
        decided,
        committed,
        recorder.abortedTxs.sum(),
        options.txs() - recorder.completedTxs.sum(),
        castErrors.sum(),
        decidedPerS,
        seconds > 0 ? committed / seconds : 0,
        decidedSeconds > 0 ? (double) options.txs() * n / decidedSeconds : 0,
        new BenchReport.Latencies(
            recorder.propagation.summary(),
            recorder.decision.summary(),
            recorder.decisionAll.summary(),
            recorder.commit.summary()),
        ceiling,
        bound,
        fraction,
        baseline,
        memory,
        new BenchReport.Machine(
            Runtime.getRuntime().availableProcessors(),
            loadBefore,
            load(),
            System.getProperty("java.version")));
  }

  private BenchReport.MemoryPoint heapPoint(String at) {
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    BenchReport.MemoryPoint p = new BenchReport.MemoryPoint(at, recorder.completedTxs.sum(), used);
    progress(String.format(Locale.ROOT, "heap after GC at %s: %.1f MiB", at, used / 1048576.0));
    return p;
  }

  private void progressLine(long start) {
    double s = (System.nanoTime() - start) / 1e9;
    long done = recorder.completedTxs.sum();
    progress(
        String.format(
            Locale.ROOT,
            "[%5.1fs] started %d/%d, decided %d, committed %d, in flight %d, %.0f tx/s",
            s,
            started.sum(),
            options.txs(),
            recorder.decidedTxs.sum(),
            recorder.committedTxs.sum(),
            recorder.inFlight(),
            done / s));
  }

  private void progress(String line) {
    if (options.progress() != null) {
      options.progress().println(line);
    }
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }
}
