package io.mtlsvoting.node.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What one benchmark run measured, printable as text or JSON. Latencies in milliseconds: {@code
 * propagation} = cast at one node until a peer verified it (null when not measured, against a
 * remote cluster), {@code decision} = first vote cast until THRESHOLD_REACHED at each node (remote:
 * until that node's reply saying so arrived), {@code decisionAll} = until the last node decided,
 * {@code commit} = until COMMITTED at each node (etcd on). With a Byzantine node, "each node" means
 * each honest node. The stages say where a decision's time goes (in-process only, else null):
 * {@code ownVoteJournaled} = cast until the vote was journaled at its own node (the tally's start
 * with its journal read, then the write), {@code wire} = journaled there until verified at a peer,
 * {@code decisionJournaled} = the last certificate vote's arrival at a node until THRESHOLD_REACHED
 * was journaled there, {@code committedAfterDecision} = THRESHOLD_REACHED journaled at a node until
 * COMMITTED was journaled there (etcd on). {@code commitFloor} = one database commit's latency
 * measured before the load (in-process only, else null), two of which every decision waits for.
 */
public record BenchReport(
    Setup setup,
    double seconds,
    long startedTxs,
    long decidedTxs,
    long committedTxs,
    long abortedTxs,
    long undecidedTxs,
    long castErrors,
    String firstCastError,
    double decidedTxPerS,
    double committedTxPerS,
    double signedVotesPerS,
    Latencies latency,
    VerifyCeiling.Result ceiling,
    Double verificationBoundTxPerS,
    Double achievedFractionOfCeiling,
    CommitFloor.Result commitFloor,
    EtcdSeedBaseline.Result etcdBaseline,
    Byzantine byzantine,
    List<String> notes,
    List<MemoryPoint> memory,
    Machine machine) {

  /** The run's parameters; {@code cluster} is "in-process" or the remote cluster's nodes. */
  public record Setup(
      String cluster,
      int nodes,
      int threshold,
      int txs,
      String mode,
      double rate,
      int concurrency,
      boolean etcd) {}

  /**
   * The Byzantine part of a run: {@code node} double-voted in every {@code every}-th tx ({@code
   * attackedTxs} of them; {@code attacksSent} went out); {@code detections} DOUBLE_VOTING events
   * were recorded by the honest nodes, on {@code txsWithDetection} txs. A detected node is banned,
   * so its later double votes are ignored rather than detected again.
   */
  public record Byzantine(
      double fraction,
      int node,
      int every,
      long attackedTxs,
      long attacksSent,
      long attackErrors,
      String firstAttackError,
      long detections,
      long txsWithDetection) {}

  /** Latency summaries. */
  public record Latencies(
      LatencyHistogram.Summary propagation,
      LatencyHistogram.Summary decision,
      LatencyHistogram.Summary decisionAll,
      LatencyHistogram.Summary commit,
      LatencyHistogram.Summary ownVoteJournaled,
      LatencyHistogram.Summary wire,
      LatencyHistogram.Summary decisionJournaled,
      LatencyHistogram.Summary committedAfterDecision) {}

  /**
   * Heap used after a GC when {@code txsDone} txs had completed; {@code liveTallies} -1 when the
   * driver cannot see them. {@code settled}: taken with the load paused until the txs started had
   * completed and the tallies passivated (else under load).
   */
  public record MemoryPoint(
      String at, long txsDone, long heapUsedBytes, long liveTallies, boolean settled) {}

  /** The report's memory lines: each point, then the change under load and settled. */
  static List<String> memoryLines(List<MemoryPoint> memory) {
    List<String> lines = new ArrayList<>();
    for (MemoryPoint m : memory) {
      lines.add(
          String.format(
              Locale.ROOT,
              "memory: heap after GC at %s (%d txs done%s): %.1f MiB%s",
              m.at(),
              m.txsDone(),
              m.settled() ? ", load paused until the tallies passivated" : "",
              m.heapUsedBytes() / 1048576.0,
              m.liveTallies() >= 0 ? ", " + m.liveTallies() + " tallies in memory" : ""));
    }
    for (boolean settled : new boolean[] {false, true}) {
      List<MemoryPoint> points = ofKind(memory, settled);
      heapChangePercent(memory, settled)
          .ifPresent(
              change ->
                  lines.add(
                      String.format(
                          Locale.ROOT,
                          "memory: %s, %s -> %s: %.1f -> %.1f MiB (%+.1f%%)",
                          settled ? "load paused" : "under load",
                          points.get(0).at(),
                          points.get(points.size() - 1).at(),
                          points.get(0).heapUsedBytes() / 1048576.0,
                          points.get(points.size() - 1).heapUsedBytes() / 1048576.0,
                          change)));
    }
    return lines;
  }

  private static List<MemoryPoint> ofKind(List<MemoryPoint> memory, boolean settled) {
    return memory.stream().filter(m -> m.settled() == settled).toList();
  }

  /**
   * The change of the heap after GC from the first to the last point of one kind (under load or
   * settled), in percent of the first; empty with fewer than two such points.
   */
  static Optional<Double> heapChangePercent(List<MemoryPoint> memory, boolean settled) {
    List<MemoryPoint> points = ofKind(memory, settled);
    if (points.size() < 2 || points.get(0).heapUsedBytes() <= 0) {
      return Optional.empty();
    }
    double first = points.get(0).heapUsedBytes();
    double last = points.get(points.size() - 1).heapUsedBytes();
    return Optional.of((last - first) * 100 / first);
  }

  /**
   * Where it ran. {@code jitSeconds}: time the JIT compilers spent during the measured run (summed
   * over the compiler threads) and {@code compilerThreads} how many there are ({@code
   * -XX:CICompilerCount}); both -1 when the nodes are not in the bench's JVM. {@code nodes}: what
   * the nodes' own JVMs spent, against a running cluster (null in-process, or when the nodes do not
   * say).
   */
  public record Machine(
      int cores,
      double loadBefore,
      double loadAfter,
      String java,
      double jitSeconds,
      int compilerThreads,
      CpuUse cpu,
      NodeJvms nodes) {

    /**
     * Fewer JIT compiler threads than this fall behind a busy JVM on few cores (2 cores, 5 nodes:
     * 105 tx/s with the default 2, 167 with 4).
     */
    static final int ENOUGH_COMPILER_THREADS = 4;

    /**
     * Above this share of the run's cores spent compiling, the figures are of a JVM still warming
     * up (on 2 cores the JIT takes a minute or more to settle for 5 nodes).
     */
    static final double WARM_JIT_SHARE = 0.05;

    /** True when the JIT compiled for more than {@link #WARM_JIT_SHARE} of the run's core time. */
    public boolean stillWarmingUp(double runSeconds) {
      return warming(jitSeconds, runSeconds);
    }

    private boolean warming(double compileSeconds, double runSeconds) {
      return compileSeconds >= 0
          && runSeconds > 0
          && compileSeconds > WARM_JIT_SHARE * runSeconds * cores;
    }

    /**
     * The report's line on the nodes' JVMs for a run of {@code runSeconds} that decided {@code
     * decidedTxs}: their CPU, how long their JIT compiled and, while that is long, that they are
     * still warming up; null when the nodes did not say. Compile time is summed over the compiler
     * threads as in {@link #jitLine}: on a busy machine it includes waiting for a core, so it is
     * not CPU time and may exceed it.
     */
    public String nodesLine(double runSeconds, long decidedTxs) {
      if (nodes == null || runSeconds <= 0) {
        return null;
      }
      String line =
          String.format(
              Locale.ROOT,
              "nodes: their %d JVMs %.2f cores during the load, %.1f ms of CPU per decided tx; their"
                  + " JIT compiled for %.1f s (summed over their compiler threads)",
              nodes.jvms(),
              nodes.cpuSeconds() / runSeconds,
              decidedTxs > 0 ? nodes.cpuSeconds() * 1000 / decidedTxs : 0.0,
              nodes.jitSeconds());
      return warming(nodes.jitSeconds(), runSeconds)
          ? line
              + " (still warming up: the figures are of JVMs still compiling; a longer --warmup"
              + " gives steady-state figures)"
          : line;
    }

    /**
     * The report's JIT line for a run of {@code runSeconds}: compile time, compiler threads, and
     * when the JVM was still warming up, what to do about it.
     */
    public String jitLine(double runSeconds) {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "JIT: %.1f s compiling during the %.1f s run",
                  jitSeconds,
                  runSeconds));
      if (compilerThreads > 0) {
        b.append(", ").append(compilerThreads).append(" compiler threads");
      }
      if (stillWarmingUp(runSeconds)) {
        b.append(
            " (still warming up: the figures are of a JVM not yet compiled; a longer --warmup"
                + " gives steady-state figures");
        if (compilerThreads > 0 && compilerThreads < ENOUGH_COMPILER_THREADS) {
          b.append("; ")
              .append(compilerThreads)
              .append(" JIT compiler threads fall behind a busy JVM on few cores: run it with")
              .append(" -XX:CICompilerCount=")
              .append(ENOUGH_COMPILER_THREADS)
              .append(" (scripts/mtls-voting does)");
        }
        b.append(')');
      }
      return b.toString();
    }
  }

  public String toJson() {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public String toText() {
    StringBuilder b = new StringBuilder();
    f(
        b,
        "bench: %s n=%d t=%d txs=%d mode=%s%s etcd=%s%n",
        setup.cluster(),
        setup.nodes(),
        setup.threshold(),
        setup.txs(),
        setup.mode(),
        setup.mode().equals("open")
            ? " rate=" + setup.rate()
            : " concurrency=" + setup.concurrency(),
        setup.etcd() ? "on" : "off");
    f(
        b,
        "machine: %d cores, load %.2f before / %.2f after, Java %s%n",
        machine.cores(),
        machine.loadBefore(),
        machine.loadAfter(),
        machine.java());
    if (machine.jitSeconds() >= 0) {
      b.append(machine.jitLine(seconds)).append(System.lineSeparator());
    }
    cpuLine(b);
    String nodesLine = machine.nodesLine(seconds, decidedTxs);
    if (nodesLine != null) {
      b.append(nodesLine).append(System.lineSeparator());
    }
    f(
        b,
        "result: %.1f s, decided %d, committed %d, aborted %d, undecided %d, cast errors %d%n",
        seconds,
        decidedTxs,
        committedTxs,
        abortedTxs,
        undecidedTxs,
        castErrors);
    if (startedTxs < setup.txs()) {
      f(b, "stopped early: %d of %d txs started%n", startedTxs, setup.txs());
    }
    if (firstCastError != null) {
      f(b, "first cast error: %s%n", firstCastError);
    }
    if (byzantine != null) {
      f(
          b,
          "byzantine: fraction %s -> node %d double-voted in %s: %d of %d attacks sent"
              + "%s; DOUBLE_VOTING recorded %d times by the honest nodes, in %d of the attacked txs"
              + " (a detected node is banned, its later double votes are ignored);"
              + " decided/committed count the %d honest nodes%n",
          byzantine.fraction(),
          byzantine.node(),
          everyKth(byzantine.every()),
          byzantine.attacksSent(),
          byzantine.attackedTxs(),
          byzantine.firstAttackError() == null ? "" : " (" + byzantine.firstAttackError() + ")",
          byzantine.detections(),
          byzantine.txsWithDetection(),
          setup.nodes() - 1);
    }
    f(b, "throughput: %.1f decided tx/s, %.1f signed votes/s", decidedTxPerS, signedVotesPerS);
    if (setup.etcd()) {
      f(b, ", %.1f committed tx/s", committedTxPerS);
    }
    b.append(System.lineSeparator());
    f(b, "latency (ms)        samples      p50      p90      p99      max%n");
    if (latency.propagation() != null) {
      line(b, "vote propagation", latency.propagation());
    } else {
      f(b, "%-18s not measured%n", "vote propagation");
    }
    line(b, "decision per node", latency.decision());
    line(b, "decision all nodes", latency.decisionAll());
    if (setup.etcd()) {
      line(b, "commit per node", latency.commit());
    }
    if (latency.ownVoteJournaled() != null) {
      f(b, "stages (ms)         samples      p50      p90      p99      max%n");
      line(b, "own vote journaled", latency.ownVoteJournaled());
      line(b, "vote on the wire", latency.wire());
      line(b, "decision journaled", latency.decisionJournaled());
      if (latency.committedAfterDecision() != null
          && latency.committedAfterDecision().samples() > 0) {
        line(b, "decided->COMMITTED", latency.committedAfterDecision());
      }
    }
    if (ceiling != null) {
      f(
          b,
          "ceiling: %.0f Ed25519 verifies/s on %d threads -> verification-bound max %.1f tx/s"
              + " (n*(n-1) = %d verifies per tx); achieved %.1f%%%n",
          ceiling.verifiesPerS(),
          ceiling.threads(),
          verificationBoundTxPerS,
          setup.nodes() * (setup.nodes() - 1),
          achievedFractionOfCeiling * 100);
    }
    if (commitFloor != null) {
      LatencyHistogram.Summary c = commitFloor.latency();
      f(
          b,
          "floor: one database commit (one row) p50 %.2f ms, p90 %.2f, p99 %.2f, max %.2f ms over"
              + " %d commits before the load (fsync %s, synchronous_commit %s%s); a node's decision"
              + " waits for %d (its own vote, the decision)%n",
          c.p50Ms(),
          c.p90Ms(),
          c.p99Ms(),
          c.maxMs(),
          commitFloor.commits(),
          commitFloor.fsync(),
          commitFloor.synchronousCommit(),
          commitFloor.durable() ? "" : ": not durable, the floor of a durable database is higher",
          CommitFloor.COMMITS_PER_DECISION);
    }
    if (etcdBaseline != null) {
      f(
          b,
          "baseline (seed design, votes counted in etcd): %.1f tx/s (%d/%d decided in %.1f s,"
              + " %d CAS retries, decision p50 %.1f ms p99 %.1f ms) vs %.1f tx/s here (x%.1f)%n",
          etcdBaseline.txPerS(),
          etcdBaseline.decided(),
          etcdBaseline.txs(),
          etcdBaseline.seconds(),
          etcdBaseline.casRetries(),
          etcdBaseline.decisionLatency().p50Ms(),
          etcdBaseline.decisionLatency().p99Ms(),
          decidedTxPerS,
          etcdBaseline.txPerS() > 0 ? decidedTxPerS / etcdBaseline.txPerS() : 0);
    }
    for (String note : notes) {
      f(b, "note: %s%n", note);
    }
    for (String line : memoryLines(memory)) {
      b.append(line).append(System.lineSeparator());
    }
    return b.toString();
  }

  /**
   * Where the CPU went during the load: the machine's busy cores (this JVM, and the rest:
   * PostgreSQL, etcd, the nodes of a remote cluster) and the CPU per decided tx.
   */
  private void cpuLine(StringBuilder b) {
    CpuUse cpu = machine.cpu();
    if (cpu == null || cpu.jvmCores() < 0) {
      return;
    }
    if (cpu.machineBusyCores() < 0) {
      f(
          b,
          "cpu: this JVM %.2f cores during the load, %.1f ms per decided tx (the machine's use is"
              + " unknown)%n",
          cpu.jvmCores(),
          cpu.jvmMsPer(decidedTxs));
      return;
    }
    f(
        b,
        "cpu: machine %.2f of %d cores busy (%.0f%%) during the load: this JVM %.2f, other processes"
            + " %.2f; per decided tx %.1f ms of CPU (this JVM %.1f ms)%s%n",
        cpu.machineBusyCores(),
        machine.cores(),
        100 * cpu.machineBusyCores() / machine.cores(),
        cpu.jvmCores(),
        Math.max(0, cpu.machineBusyCores() - cpu.jvmCores()),
        cpu.machineMsPer(decidedTxs),
        cpu.jvmMsPer(decidedTxs),
        cpu.machineBusyCores() >= CPU_BOUND_SHARE * machine.cores() ? "; CPU-bound" : "");
  }

  /** Above this share of the cores busy, the run was limited by CPU. */
  static final double CPU_BOUND_SHARE = 0.9;

  /** "every tx", "every 2nd tx", "every 11th tx". */
  static String everyKth(int k) {
    if (k == 1) {
      return "every tx";
    }
    int mod10 = k % 10;
    String suffix =
        k % 100 >= 11 && k % 100 <= 13
            ? "th"
            : mod10 == 1 ? "st" : mod10 == 2 ? "nd" : mod10 == 3 ? "rd" : "th";
    return "every " + k + suffix + " tx";
  }

  private static void line(StringBuilder b, String name, LatencyHistogram.Summary s) {
    f(
        b,
        "%-18s %8d %8.1f %8.1f %8.1f %8.1f%n",
        name,
        s.samples(),
        s.p50Ms(),
        s.p90Ms(),
        s.p99Ms(),
        s.maxMs());
  }

  private static void f(StringBuilder b, String format, Object... args) {
    b.append(String.format(Locale.ROOT, format, args));
  }
}
