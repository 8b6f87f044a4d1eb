package io.mtlsvoting.node.cli;

import io.mtlsvoting.node.bench.BenchDriver;
import io.mtlsvoting.node.bench.BenchRecorder;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.InfoReply;
import io.mtlsvoting.protocol.InfoRequest;
import io.mtlsvoting.protocol.PeerView;
import io.mtlsvoting.protocol.PeersReply;
import io.mtlsvoting.protocol.PeersRequest;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.StatusRequest;
import io.mtlsvoting.protocol.SubmitVoteReply;
import io.mtlsvoting.protocol.SubmitVoteRequest;
import io.mtlsvoting.protocol.TestByzantineReply;
import io.mtlsvoting.protocol.TestByzantineRequest;
import io.mtlsvoting.protocol.ViolationView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bench's driver for a running cluster: one pipelined control connection per member. A vote is
 * a {@code SubmitVoteRequest} that waits for the node's decision; the reply's state is the node's
 * decision as the recorder sees it. With etcd, each node is then asked for the tx's status until it
 * reports COMMITTED (every {@link #POLL_MAX} at most). A double vote is {@code test-byzantine
 * double-vote} on the bench's tx. Votes travel between the nodes out of sight, so there are no
 * propagation figures.
 */
final class RemoteCluster implements BenchDriver, AutoCloseable {
  static final Duration POLL_FIRST = Duration.ofMillis(25);
  static final Duration POLL_MAX = Duration.ofMillis(200);
  static final Duration COMMIT_WAIT = Duration.ofSeconds(60);
  private static final Duration INFO_TIMEOUT = Duration.ofSeconds(30);

  private final Map<Integer, ControlPipeline> nodes;
  private final BenchRecorder recorder;
  private final ExecutorService callbacks;
  private final ScheduledExecutorService polls;
  private final int threshold;
  private final boolean commits;
  private final Duration replyTimeout;
  private final LongAdder commitPollsGivenUp = new LongAdder();

  private RemoteCluster(
      Map<Integer, ControlPipeline> nodes,
      BenchRecorder recorder,
      ExecutorService callbacks,
      ScheduledExecutorService polls,
      int threshold,
      boolean commits,
      Duration replyTimeout) {
    this.nodes = nodes;
    this.recorder = recorder;
    this.callbacks = callbacks;
    this.polls = polls;
    this.threshold = threshold;
    this.commits = commits;
    this.replyTimeout = replyTimeout;
  }

  /**
   * Connects to every member of {@code cluster} and checks that they agree on n, t and the cluster
   * id; fails with a {@link CliFailure} naming the nodes that cannot be reached.
   */
  static RemoteCluster connect(ClusterNodes cluster, ClientTls tls, BenchRecorder recorder) {
    ExecutorService callbacks = Executors.newFixedThreadPool(2, daemon("bench-replies"));
    ScheduledExecutorService polls =
        Executors.newSingleThreadScheduledExecutor(daemon("bench-polls"));
    Map<Integer, ControlPipeline> nodes = new TreeMap<>();
    Map<Integer, CompletableFuture<ClientReply>> asked = new TreeMap<>();
    Map<Integer, String> unreachable = new TreeMap<>();
    for (int id : cluster.members().keySet()) {
      try {
        ControlPipeline p =
            ControlPipeline.start(ControlClient.connect(cluster.node(id), tls), callbacks);
        nodes.put(id, p);
        // A node drops a connection whose first frame does not come within its handshake
        // timeout, so ask at once rather than after connecting to the others.
        asked.put(id, p.send(new InfoRequest(ControlClient.nextRequestId()), INFO_TIMEOUT));
      } catch (CliFailure e) {
        unreachable.put(id, e.getMessage());
      }
    }
    RemoteCluster c = null;
    try {
      if (!unreachable.isEmpty()) {
        throw unreachable(cluster, unreachable);
      }
      Map<Integer, InfoReply> infos = new TreeMap<>();
      for (Map.Entry<Integer, ControlPipeline> e : nodes.entrySet()) {
        infos.put(e.getKey(), await(e.getValue().node(), asked.get(e.getKey()), InfoReply.class));
      }
      InfoReply first = infos.values().iterator().next();
      for (InfoReply info : infos.values()) {
        if (info.totalNodes() != nodes.size()) {
          throw CliFailure.usage(
              "node "
                  + info.nodeId()
                  + " has n = "
                  + info.totalNodes()
                  + " but the bench was given "
                  + nodes.size()
                  + " nodes "
                  + nodes.keySet()
                  + "; list every member with --nodes, MTLS_NODES or --config");
        }
        if (info.threshold() != first.threshold() || !info.clusterId().equals(first.clusterId())) {
          throw CliFailure.failed(
              "the nodes disagree on the cluster: node "
                  + first.nodeId()
                  + " has "
                  + first.clusterId()
                  + " t="
                  + first.threshold()
                  + ", node "
                  + info.nodeId()
                  + " has "
                  + info.clusterId()
                  + " t="
                  + info.threshold());
        }
      }
      boolean etcd =
          infos.values().stream()
              .allMatch(i -> !"not configured".equals(i.health().getOrDefault("etcd", "")));
      long voteTimeout =
          infos.values().stream().mapToLong(InfoReply::voteTimeoutMillis).max().orElse(0);
      c =
          new RemoteCluster(
              nodes,
              recorder,
              callbacks,
              polls,
              first.threshold(),
              etcd,
              // The node answers at the decision or, at the latest, at the vote timeout's abort.
              Duration.ofMillis(voteTimeout).plusSeconds(30));
      return c;
    } finally {
      if (c == null) {
        nodes.values().forEach(ControlPipeline::close);
        callbacks.shutdownNow();
        polls.shutdownNow();
      }
    }
  }

  private static CliFailure unreachable(ClusterNodes cluster, Map<Integer, String> why) {
    StringJoiner detail = new StringJoiner("; ");
    why.values().forEach(detail::add);
    if (why.size() == cluster.members().size()) {
      return CliFailure.failed(
          "no node of the cluster could be reached ("
              + detail
              + "); start it with scripts/cluster.sh up, or point --nodes/MTLS_NODES at it");
    }
    return CliFailure.failed(
        "the bench needs every member, and nodes "
            + why.keySet()
            + " could not be reached: "
            + detail);
  }

  @Override
  public String describe() {
    StringJoiner where = new StringJoiner(",", "remote ", "");
    nodes.forEach(
        (id, p) ->
            where.add(
                id
                    + "@"
                    + p.node().address().getHostString()
                    + ":"
                    + p.node().address().getPort()));
    return where.toString();
  }

  @Override
  public List<Integer> members() {
    return List.copyOf(nodes.keySet());
  }

  @Override
  public int threshold() {
    return threshold;
  }

  @Override
  public boolean commits() {
    return commits;
  }

  @Override
  public boolean observesVotes() {
    return false;
  }

  @Override
  public List<String> notes() {
    List<String> notes = new ArrayList<>();
    notes.add(
        "decision per node: until that node's answer to the vote (it waits for its decision)"
            + " reached this client");
    if (commits) {
      notes.add(
          "commit per node: polled with a status request after the node's decision, every "
              + POLL_MAX.toMillis()
              + " ms at most, so up to "
              + POLL_MAX.toMillis()
              + " ms late"
              + (commitPollsGivenUp.sum() == 0
                  ? ""
                  : "; "
                      + commitPollsGivenUp.sum()
                      + " node(s)' commits not seen within "
                      + COMMIT_WAIT.toSeconds()
                      + " s"));
    }
    return notes;
  }

  @Override
  public CompletionStage<?> cast(int nodeId, String txId, long value) {
    ControlPipeline node = nodes.get(nodeId);
    return node.send(
            new SubmitVoteRequest(ControlClient.nextRequestId(), txId, value, true, 0),
            replyTimeout)
        .thenApply(
            reply -> {
              long now = System.nanoTime();
              SubmitVoteReply r = ClientCommand.expect(node.node(), reply, SubmitVoteReply.class);
              onState(nodeId, txId, phase(r.state()), now);
              return r;
            });
  }

  /** {@code value} is not used: the node double-votes around the value it sees leading. */
  @Override
  public CompletionStage<?> doubleVote(int nodeId, String txId, long value) {
    ControlPipeline node = nodes.get(nodeId);
    return node.send(
            new TestByzantineRequest(
                ControlClient.nextRequestId(), TestByzantineRequest.DOUBLE_VOTE, txId),
            replyTimeout)
        .thenApply(reply -> ClientCommand.expect(node.node(), reply, TestByzantineReply.class));
  }

  private void onState(int nodeId, String txId, Phase phase, long now) {
    if (phase == Phase.THRESHOLD_REACHED) {
      recorder.decided(nodeId, txId, now);
      if (commits) {
        pollCommit(nodeId, txId, POLL_FIRST, now + COMMIT_WAIT.toNanos());
      }
    } else if (phase == Phase.COMMITTED) {
      recorder.decided(nodeId, txId, now);
      recorder.committed(nodeId, txId, now);
    } else if (phase != null && phase.aborted()) {
      recorder.aborted(nodeId, txId, now);
    }
    // Still collecting when the node's wait ran out: the tx stays undecided at that node.
  }

  private void pollCommit(int nodeId, String txId, Duration delay, long deadline) {
    ControlPipeline node = nodes.get(nodeId);
    polls.schedule(
        () ->
            node.send(new StatusRequest(ControlClient.nextRequestId(), txId), replyTimeout)
                .whenComplete(
                    (reply, e) -> {
                      long now = System.nanoTime();
                      if (e == null
                          && reply instanceof StatusReply s
                          && phase(s.state()) == Phase.COMMITTED) {
                        recorder.committed(nodeId, txId, now);
                      } else if (e == null && now < deadline) {
                        Duration next = delay.multipliedBy(2);
                        pollCommit(
                            nodeId, txId, next.compareTo(POLL_MAX) > 0 ? POLL_MAX : next, deadline);
                      } else {
                        commitPollsGivenUp.increment();
                      }
                    }),
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /**
   * Asks the honest nodes for the status of every attacked tx and reports their DOUBLE_VOTING
   * detections by {@code offender}, once the first attacked tx shows one (or {@code wait} passed).
   */
  @Override
  public void collectDetections(
      List<String> attackedTxs, int offender, BenchRecorder recorder, Duration wait)
      throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    List<String> first = attackedTxs.subList(0, 1);
    while (detections(first, offender).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(250);
    }
    for (ViolationView v : detections(attackedTxs, offender)) {
      recorder.doubleVoteDetected(v.observedBy(), v.txId(), offender);
    }
  }

  private List<ViolationView> detections(List<String> txs, int offender) {
    List<CompletableFuture<List<ViolationView>>> asked = new ArrayList<>();
    for (Map.Entry<Integer, ControlPipeline> e : nodes.entrySet()) {
      if (e.getKey() == offender) {
        continue;
      }
      for (String tx : txs) {
        asked.add(
            e.getValue()
                .send(new StatusRequest(ControlClient.nextRequestId(), tx), replyTimeout)
                .handle(
                    (reply, x) ->
                        reply instanceof StatusReply s
                            ? s.violations().stream()
                                .filter(
                                    v ->
                                        v.type().equals("DOUBLE_VOTING")
                                            && v.offenderNodeId() == offender)
                                .toList()
                            : List.<ViolationView>of()));
      }
    }
    List<ViolationView> out = new ArrayList<>();
    for (CompletableFuture<List<ViolationView>> f : asked) {
      out.addAll(f.join());
    }
    return out;
  }

  /** The honest members at which {@code nodeId} is banned now. */
  List<Integer> bannedAt(int nodeId) {
    List<Integer> at = new ArrayList<>();
    for (Map.Entry<Integer, ControlPipeline> e : nodes.entrySet()) {
      if (e.getKey() == nodeId) {
        continue;
      }
      PeersReply peers =
          await(
              e.getValue().node(),
              e.getValue().send(new PeersRequest(ControlClient.nextRequestId()), INFO_TIMEOUT),
              PeersReply.class);
      for (PeerView p : peers.peers()) {
        if (p.nodeId() == nodeId && p.banned()) {
          at.add(e.getKey());
        }
      }
    }
    return at;
  }

  /** Every node's counters (its {@code info}), summed. */
  @Override
  public Map<String, Long> nodeCounters() {
    Map<Integer, CompletableFuture<ClientReply>> asked = new TreeMap<>();
    for (Map.Entry<Integer, ControlPipeline> e : nodes.entrySet()) {
      asked.put(
          e.getKey(),
          e.getValue().send(new InfoRequest(ControlClient.nextRequestId()), INFO_TIMEOUT));
    }
    Map<String, Long> sum = new TreeMap<>();
    for (Map.Entry<Integer, CompletableFuture<ClientReply>> e : asked.entrySet()) {
      InfoReply info = await(nodes.get(e.getKey()).node(), e.getValue(), InfoReply.class);
      info.counters().forEach((k, v) -> sum.merge(k, v, Long::sum));
    }
    return sum;
  }

  private static <R extends ClientReply> R await(
      NodeAddress node, CompletableFuture<ClientReply> reply, Class<R> type) {
    try {
      return ClientCommand.expect(node, reply.join(), type);
    } catch (CompletionException e) {
      if (e.getCause() instanceof CliFailure f) {
        throw f;
      }
      throw CliFailure.failed(node.describe() + ": " + e.getCause());
    }
  }

  private static Phase phase(String state) {
    try {
      return Phase.valueOf(state);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    polls.shutdownNow();
    nodes.values().forEach(ControlPipeline::close);
    callbacks.shutdownNow();
  }
}
