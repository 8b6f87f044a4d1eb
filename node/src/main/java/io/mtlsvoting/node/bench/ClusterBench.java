package io.mtlsvoting.node.bench;

import io.mtlsvoting.node.util.JvmUsage;
import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs K txs through a cluster (every member votes the same value), open loop at a target rate or
 * closed loop with W txs in flight, and reports throughput and latencies, next to the Ed25519
 * verification ceiling and the seed design's etcd counting measured in the same run. With a
 * Byzantine fraction, one member double-votes in every {@link BenchOptions#attackEvery()}-th tx
 * instead of voting; a refused attack stops the load (the run would not be what was asked).
 */
public final class ClusterBench {
  private static final long VALUE = 42L;

  /** Longest wait for the JIT after a warm-up. */
  static final Duration JIT_SETTLE_MAX = Duration.ofSeconds(120);

  private static final Duration JIT_STEP = Duration.ofSeconds(1);

  /** Commits timed for the database's commit floor (well under a second on a local disk). */
  static final int FLOOR_COMMITS = 200;

  private final BenchDriver driver;
  private final BenchRecorder recorder;
  private final BenchOptions options;
  private final LongAdder castErrors = new LongAdder();
  private final LongAdder started = new LongAdder();
  private final AtomicReference<String> firstCastError = new AtomicReference<>();
  private final LongAdder attacksSent = new LongAdder();
  private final LongAdder attackErrors = new LongAdder();
  private final AtomicReference<String> firstAttackError = new AtomicReference<>();
  private final List<String> attackedTxs = Collections.synchronizedList(new ArrayList<>());
  // Time the load was paused for settled heap points; left out of the run's duration.
  private volatile long pausedNanos;

  /** {@code recorder} must be the one whose listeners the driver's nodes report to. */
  public ClusterBench(BenchDriver driver, BenchRecorder recorder, BenchOptions options) {
    this.driver = driver;
    this.recorder = recorder;
    this.options = options;
  }

  /**
   * Runs {@code count} txs that are not measured (every member votes; at most {@code concurrency}
   * txs whose casts are unanswered at once), so the measured run starts with compiled code and
   * grown pools instead of a cold JVM. Returns once every warm-up cast was answered and, when the
   * nodes run in this JVM, its JIT has stopped compiling (see {@link JitSettle}; at most {@link
   * #JIT_SETTLE_MAX}).
   */
  public void warmUp(int count) throws InterruptedException {
    warmUp(count, JIT_SETTLE_MAX);
  }

  /** {@link #warmUp(int)}, waiting at most {@code jitSettleMax} for the JIT (zero: not at all). */
  public void warmUp(int count, Duration jitSettleMax) throws InterruptedException {
    if (count <= 0) {
      return;
    }
    progress("warming up with " + count + " txs (not measured)...");
    // Closed loop on decisions (as tracked by the recorder), whatever the measured mode: an open
    // loop would pile up undecided txs that then time out and get members penalized as silent.
    Semaphore window = new Semaphore(options.openLoop() ? 64 : options.concurrency());
    recorder.expectCommits(driver.commits());
    recorder.onComplete(tx -> window.release());
    for (int i = 0; i < count; i++) {
      if (!window.tryAcquire(options.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        progress("warm-up: no tx completed within " + options.drainTimeout() + "; going on");
        break;
      }
      String tx = options.txPrefix() + "warmup-" + i;
      recorder.begin(tx);
      for (int id : driver.members()) {
        recorder.cast(tx, id, System.nanoTime());
        try {
          driver.cast(id, tx, VALUE);
        } catch (RuntimeException e) {
          // counted as undecided below
        }
      }
    }
    long deadline = System.nanoTime() + options.drainTimeout().toNanos();
    while (recorder.completedTxs.sum() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    long done = recorder.completedTxs.sum();
    if (done < count) {
      progress("warm-up: " + (count - done) + " txs not completed; measuring anyway");
    }
    recorder.reset();
    if (driver.nodesInThisJvm() && !jitSettleMax.isZero()) {
      progress("warm-up done; waiting for the JIT to finish compiling...");
      JitSettle.Result settle =
          JitSettle.await(
              JvmUsage::jitMillis, d -> Thread.sleep(d.toMillis()), JIT_STEP, jitSettleMax);
      progress(
          settle.settled()
              ? "the JIT settled after " + settle.waited().toSeconds() + " s"
              : "the JIT was still compiling after "
                  + settle.waited().toSeconds()
                  + " s; measuring anyway");
    }
  }

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
    CommitFloor.Result floor = null;
    String floorProblem = null;
    if (options.commitFloor() && driver.nodesInThisJvm()) {
      progress("measuring the database's commit floor...");
      try {
        floor = driver.commitFloor(FLOOR_COMMITS).orElse(null);
      } catch (SQLException e) {
        floorProblem = "the database's commit floor was not measured: " + e.getMessage();
      }
    }
    recorder.expectCommits(driver.commits());
    recorder.observeVotes(driver.observesVotes());
    boolean byzantine = options.byzantineFraction() > 0;
    if (byzantine) {
      recorder.byzantine(options.byzantineNode());
    }
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
    // Votes travel out of sight between node processes: the nodes count them (read before and
    // after the load; a node that cannot answer costs the figure, not the run).
    String countersUnread = null;
    Map<String, Long> countersBefore = Map.of();
    if (!driver.observesVotes()) {
      try {
        countersBefore = driver.nodeCounters();
      } catch (RuntimeException e) {
        countersUnread = e.getMessage();
      }
    }
    long jitBefore = JvmUsage.jitMillis();
    CpuUse.Meter cpuMeter = CpuUse.start();
    long start = System.nanoTime();
    if (options.progress() != null) {
      ticker.scheduleAtFixedRate(() -> progressLine(start), 1, 1, TimeUnit.SECONDS);
    }
    // Heap points at every tenth of the txs completed (while the load runs, so they are taken at
    // the same load and comparable; settled ones after pausing it), the last one after the drain.
    int[] nextTenth = {1};
    CpuUse cpu = CpuUse.UNKNOWN;
    LatencyHistogram.Summary nodePropagation = null;
    NodeJvms nodeJvms = null;
    try {
      for (int i = 0; i < options.txs(); i++) {
        if (options.openLoop()) {
          long due = start + pausedNanos + (long) (i * 1e9 / options.rate());
          long wait;
          while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
        } else if (!window.tryAcquire(options.drainTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
          progress("no tx completed within " + options.drainTimeout() + "; stopping the load");
          break;
        }
        if (firstAttackError.get() != null) {
          progress("stopping the load: " + firstAttackError.get());
          break;
        }
        String tx = options.txPrefix() + i;
        boolean attacked = options.attacked(i);
        if (attacked) {
          attackedTxs.add(tx);
        }
        recorder.begin(tx);
        for (int id : driver.members()) {
          recorder.cast(tx, id, System.nanoTime());
          if (attacked && id == options.byzantineNode()) {
            attack(id, tx);
          } else {
            cast(id, tx);
          }
        }
        started.increment();
        heapPoints(nextTenth, memory);
      }
      long deadline = System.nanoTime() + options.drainTimeout().toNanos();
      // Only the txs started: the load may have stopped early.
      while (recorder.completedTxs.sum() < started.sum() && System.nanoTime() < deadline) {
        deadline += heapPoints(nextTenth, memory);
        Thread.sleep(10);
      }
      cpu = cpuMeter.stop();
      if (!driver.observesVotes() && countersUnread == null) {
        try {
          Map<String, Long> countersAfter = driver.nodeCounters();
          nodePropagation = NodePropagation.between(countersBefore, countersAfter);
          nodeJvms = NodeJvms.between(countersBefore, countersAfter, driver.members().size());
        } catch (RuntimeException e) {
          countersUnread = e.getMessage();
        }
      }
      // The last txs may complete between a check and the loop's condition: take the points that
      // became due then (a tenth is never skipped).
      heapPoints(nextTenth, memory);
      if (attacksSent.sum() > 0) {
        Duration wait = Duration.ofSeconds(15);
        progress("collecting the honest nodes' DOUBLE_VOTING detections...");
        driver.collectDetections(List.copyOf(attackedTxs), options.byzantineNode(), recorder, wait);
        long until = System.nanoTime() + wait.toNanos();
        while (recorder.detections.sum() == 0 && System.nanoTime() < until) {
          Thread.sleep(10);
        }
      }
    } finally {
      ticker.shutdownNow();
    }
    long end =
        driver.commits() ? recorder.lastCommittedNanos.get() : recorder.lastDecidedNanos.get();
    if (end == 0) {
      end = System.nanoTime();
    }
    // The settled heap points paused the load (the one at 100% comes after the run).
    long paused = pausedNanos;
    double seconds = (end - start - paused) / 1e9;
    double jitSeconds =
        driver.nodesInThisJvm() && jitBefore >= 0 ? (JvmUsage.jitMillis() - jitBefore) / 1e3 : -1;
    double decidedSeconds = (recorder.lastDecidedNanos.get() - start - paused) / 1e9;
    if (options.memoryCheck() != BenchOptions.MemoryCheck.OFF) {
      memory.add(heapPoint("100%", false));
      if (options.memoryCheck() == BenchOptions.MemoryCheck.SETTLED) {
        settle();
        memory.add(heapPoint("100%", true));
      }
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
    BenchReport.Byzantine byzantineReport =
        byzantine
            ? new BenchReport.Byzantine(
                options.byzantineFraction(),
                options.byzantineNode(),
                options.attackEvery(),
                attackedTxs.size(),
                attacksSent.sum(),
                attackErrors.sum(),
                firstAttackError.get(),
                recorder.detections.sum(),
                recorder.txsWithDetection())
            : null;
    // The stages need every node's journaled events: only nodes in this JVM report them.
    boolean stages = driver.nodesInThisJvm();
    List<String> notes = new ArrayList<>();
    if (!driver.observesVotes()) {
      notes.add(propagationNote(countersUnread, nodePropagation));
    }
    notes.addAll(driver.notes());
    if (floorProblem != null) {
      notes.add(floorProblem);
    }
    if (paused > 0) {
      notes.add(
          String.format(
              Locale.ROOT,
              "the settled heap points paused the load for %.1f s in all: the throughput leaves"
                  + " the pauses out, the cpu: line's cores include them",
              paused / 1e9));
    }
    return new BenchReport(
        new BenchReport.Setup(
            driver.describe(),
            n,
            driver.threshold(),
            options.txs(),
            options.openLoop() ? "open" : "closed",
            options.rate(),
            options.concurrency(),
            driver.commits()),
        seconds,
        started.sum(),
        decided,
        committed,
        recorder.abortedTxs.sum(),
        options.txs() - recorder.completedTxs.sum(),
        castErrors.sum(),
        firstCastError.get(),
        decidedPerS,
        seconds > 0 ? committed / seconds : 0,
        decidedSeconds > 0 ? (double) options.txs() * n / decidedSeconds : 0,
        new BenchReport.Latencies(
            driver.observesVotes() ? recorder.propagation.summary() : nodePropagation,
            recorder.decision.summary(),
            recorder.decisionAll.summary(),
            recorder.commit.summary(),
            stages ? recorder.ownVoteJournaled.summary() : null,
            stages ? recorder.wire.summary() : null,
            stages ? recorder.decisionJournaled.summary() : null,
            stages ? recorder.committedAfterDecision.summary() : null),
        ceiling,
        bound,
        fraction,
        floor,
        baseline,
        byzantineReport,
        notes,
        memory,
        new BenchReport.Machine(
            Runtime.getRuntime().availableProcessors(),
            loadBefore,
            load(),
            System.getProperty("java.version"),
            jitSeconds,
            driver.nodesInThisJvm() ? JitSettle.compilerThreads() : -1,
            cpu,
            nodeJvms));
  }

  private void cast(int id, String tx) {
    try {
      driver
          .cast(id, tx, VALUE)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  castErrors.increment();
                  firstCastError.compareAndSet(null, "node " + id + ": " + message(e));
                }
              });
    } catch (RuntimeException e) {
      castErrors.increment();
      firstCastError.compareAndSet(null, "node " + id + ": " + message(e));
    }
  }

  private void attack(int id, String tx) {
    try {
      driver
          .doubleVote(id, tx, VALUE)
          .whenComplete(
              (r, e) -> {
                if (e == null) {
                  attacksSent.increment();
                } else {
                  attackFailed(id, tx, e);
                }
              });
    } catch (RuntimeException e) {
      attackFailed(id, tx, e);
    }
  }

  private void attackFailed(int id, String tx, Throwable e) {
    attackErrors.increment();
    firstAttackError.compareAndSet(
        null, "node " + id + " did not double-vote tx " + tx + ": " + message(e));
  }

  private static String message(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }

  /**
   * Takes the heap points at 10%..90% of the txs that are due; {@code next[0]} is the next. Returns
   * how long it paused the load (settled points), in ns.
   */
  private long heapPoints(int[] next, List<BenchReport.MemoryPoint> memory)
      throws InterruptedException {
    long paused = 0;
    if (options.memoryCheck() == BenchOptions.MemoryCheck.OFF) {
      return paused;
    }
    while (next[0] < 10 && recorder.completedTxs.sum() * 10 >= (long) next[0] * options.txs()) {
      String at = next[0] * 10 + "%";
      memory.add(heapPoint(at, false));
      if (options.memoryCheck() == BenchOptions.MemoryCheck.SETTLED) {
        paused += settle();
        memory.add(heapPoint(at, true));
      }
      next[0]++;
    }
    return paused;
  }

  /**
   * Pauses the load (the caller starts nothing meanwhile) until every tx started has completed and
   * the nodes hold no tally in memory, or the drain timeout passed; returns the pause, in ns.
   */
  private long settle() throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + options.drainTimeout().toNanos();
    while (recorder.completedTxs.sum() < started.sum() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    while (driver.liveTallies().orElse(0) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
    }
    long paused = System.nanoTime() - t0;
    pausedNanos += paused;
    return paused;
  }

  private BenchReport.MemoryPoint heapPoint(String at, boolean settled) {
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long live = driver.liveTallies().orElse(-1);
    BenchReport.MemoryPoint p =
        new BenchReport.MemoryPoint(at, recorder.completedTxs.sum(), used, live, settled);
    progress(
        String.format(
            Locale.ROOT,
            "heap after GC at %s%s: %.1f MiB%s",
            at,
            settled ? " (load paused until the tallies passivated)" : "",
            used / 1048576.0,
            live >= 0 ? ", " + live + " tallies in memory" : ""));
    return p;
  }

  private void progressLine(long start) {
    double s = (System.nanoTime() - start - pausedNanos) / 1e9;
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
      options.progress().flush();
    }
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /** What the report says about vote propagation when the driver cannot see votes itself. */
  private static String propagationNote(
      String countersUnread, LatencyHistogram.Summary nodePropagation) {
    if (countersUnread != null) {
      return "vote propagation: not measured (the nodes' counters could not be read: "
          + countersUnread
          + ")";
    }
    if (nodePropagation == null) {
      return "vote propagation: not measured (votes travel between the nodes, out of this"
          + " client's sight, and the nodes counted none)";
    }
    return "vote propagation: counted by the nodes (signed at one node until verified at a peer,"
        + " by their wall clocks in ms); percentiles and max are the upper bounds of the nodes'"
        + " buckets (1, 2, 3, 5, 7, 10, 15, 20, 30, 50 ms, ...); a vote still on its way when the"
        + " load ended is left out";
  }
}
