package io.mtlsvoting.node.control;

import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.mesh.Node;
import io.mtlsvoting.node.mesh.Peers;
import io.mtlsvoting.node.runtime.NodeContext;
import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.ByzantineActions;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.ReputationState;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.node.util.JvmUsage;
import io.mtlsvoting.protocol.CertificateIdentity;
import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.ClientRequest;
import io.mtlsvoting.protocol.InfoReply;
import io.mtlsvoting.protocol.InfoRequest;
import io.mtlsvoting.protocol.MonitorRequest;
import io.mtlsvoting.protocol.MonitorSnapshot;
import io.mtlsvoting.protocol.PeersReply;
import io.mtlsvoting.protocol.PeersRequest;
import io.mtlsvoting.protocol.Protocol;
import io.mtlsvoting.protocol.StatusRequest;
import io.mtlsvoting.protocol.SubmitVoteReply;
import io.mtlsvoting.protocol.SubmitVoteRequest;
import io.mtlsvoting.protocol.TestByzantineReply;
import io.mtlsvoting.protocol.TestByzantineRequest;
import io.mtlsvoting.protocol.TxIds;
import io.mtlsvoting.protocol.UnbanReply;
import io.mtlsvoting.protocol.UnbanRequest;
import io.mtlsvoting.protocol.UnsignedValues;
import io.mtlsvoting.protocol.Vote;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/** Serves each control request from a node's {@link NodeContext}, without blocking. */
final class ControlHandlers {
  /** Longest {@code vote --wait} a client may ask for. */
  static final Duration MAX_WAIT = Duration.ofMinutes(10);

  /** The value a test attack assumes the honest nodes vote when no vote is known yet. */
  static final long DEFAULT_HONEST_VALUE = 1L;

  private final NodeContext ctx;
  private final ActivityLog activity;
  private final Duration askTimeout;

  ControlHandlers(NodeContext ctx, ActivityLog activity) {
    this.ctx = ctx;
    this.activity = activity;
    this.askTimeout = ctx.system().settings().config().getDuration("mtls-voting.ask-timeout");
  }

  CompletionStage<? extends ClientReply> handle(ClientRequest request) {
    if (request instanceof SubmitVoteRequest r) {
      return submitVote(r);
    } else if (request instanceof StatusRequest r) {
      return status(r);
    } else if (request instanceof InfoRequest r) {
      return info(r);
    } else if (request instanceof PeersRequest r) {
      return peerViews().thenApply(p -> new PeersReply(r.requestId(), p));
    } else if (request instanceof MonitorRequest r) {
      return monitor(r);
    } else if (request instanceof UnbanRequest r) {
      return unban(r);
    } else if (request instanceof TestByzantineRequest r) {
      return testByzantine(r);
    }
    throw new IllegalArgumentException("unsupported request " + request.getClass().getSimpleName());
  }

  private CompletionStage<SubmitVoteReply> submitVote(SubmitVoteRequest r) {
    TxIds.validate(r.txId());
    return ctx.caster()
        .castVote(r.txId(), r.value())
        .thenCompose(
            reply -> {
              Vote vote;
              TallyState state;
              if (reply instanceof VoteTally.CastAccepted a) {
                vote = a.vote();
                state = a.state();
              } else if (reply instanceof VoteTally.AlreadyVoted a) {
                vote = a.vote();
                state = a.state();
                // A retry after "journal unavailable" may find the vote journaled but never sent:
                // send it again (peers treat a repeat of the same value as a no-op).
                ctx.broadcaster().broadcast(vote);
              } else {
                throw ControlFailure.forbidden(
                    "node "
                        + ctx.nodeId()
                        + " refused the vote: "
                        + ((VoteTally.CastRefused) reply).reason());
              }
              if (!r.awaitDecision() || settled(state)) {
                return CompletableFuture.completedFuture(voteReply(r, vote, state, false));
              }
              return awaitDecision(r, vote);
            });
  }

  private CompletionStage<SubmitVoteReply> awaitDecision(SubmitVoteRequest r, Vote vote) {
    Duration wait =
        r.waitMillis() <= 0
            ? ctx.settings().voteTimeout().plus(askTimeout)
            : Duration.ofMillis(Math.min(r.waitMillis(), MAX_WAIT.toMillis()));
    return ctx.caster()
        .awaitDecision(r.txId(), wait)
        .thenApply(s -> voteReply(r, vote, s, false))
        .exceptionallyCompose(
            e -> {
              Throwable cause = e instanceof CompletionException ? e.getCause() : e;
              if (!(cause instanceof TimeoutException)) {
                return CompletableFuture.failedFuture(e);
              }
              return ctx.caster().status(r.txId()).thenApply(s -> voteReply(r, vote, s, true));
            });
  }

  private static boolean settled(TallyState s) {
    return s.phase().decided() || s.phase().terminal();
  }

  private static SubmitVoteReply voteReply(
      SubmitVoteRequest r, Vote vote, TallyState s, boolean expired) {
    return new SubmitVoteReply(
        r.requestId(),
        vote,
        s.phase().name(),
        ControlViews.decided(s),
        s.certificate() == null ? List.of() : s.certificate().votes(),
        expired);
  }

  private CompletionStage<ClientReply> status(StatusRequest r) {
    TxIds.validate(r.txId());
    return ctx.caster()
        .status(r.txId())
        .thenApply(
            s -> {
              if (s.phase() == Phase.NEW) {
                throw ControlFailure.notFound(
                    "node " + ctx.nodeId() + " has seen no vote for tx " + r.txId());
              }
              return ControlViews.status(
                  r.requestId(), ctx.settings().clusterId(), ctx.nodeId(), s);
            });
  }

  private CompletionStage<InfoReply> info(InfoRequest r) {
    var s = ctx.settings();
    InetSocketAddress listen = s.listenAddress();
    var cert = ctx.nodeCertificate();
    return counters()
        .thenApply(
            counters ->
                new InfoReply(
                    r.requestId(),
                    s.nodeId(),
                    listen.getHostString() + ":" + listen.getPort(),
                    s.clusterId(),
                    Protocol.PROTOCOL_VERSION,
                    s.quorum().n(),
                    s.quorum().t(),
                    s.quorum().safetyTolerance(),
                    s.quorum().livenessTolerance(),
                    s.voteTimeout().toMillis(),
                    cert.getSubjectX500Principal().getName(),
                    CertificateIdentity.fingerprint(cert),
                    cert.getNotAfter().getTime(),
                    health(),
                    System.currentTimeMillis() - ctx.startedAt().toEpochMilli(),
                    counters));
  }

  private Map<String, String> health() {
    Map<String, String> health = new TreeMap<>(ctx.health().snapshot());
    health.putIfAbsent("etcd", "not configured");
    return health;
  }

  private CompletionStage<Map<String, Long>> counters() {
    return Ask.<VoteRouter.Command, Integer>ask(
            ctx.router(), VoteRouter.GetLiveCount::new, askTimeout, ctx.system().scheduler())
        .thenApply(
            live -> {
              Map<String, Long> out = new TreeMap<>(ctx.metrics().snapshot());
              out.putAll(activity.counters());
              out.put("tallies.live", live.longValue());
              out.put("bans.current", (long) ctx.bans().snapshot().size());
              // Totals since the JVM started, for a bench to difference around its load.
              long cpu = JvmUsage.cpuNanos();
              if (cpu >= 0) {
                out.put(JvmUsage.CPU_COUNTER, cpu / 1_000_000);
              }
              long jit = JvmUsage.jitMillis();
              if (jit >= 0) {
                out.put(JvmUsage.JIT_COUNTER, jit);
              }
              return out;
            });
  }

  private CompletionStage<List<io.mtlsvoting.protocol.PeerView>> peerViews() {
    CompletionStage<Peers> peers =
        Ask.ask(ctx.mesh(), Node.GetPeers::new, askTimeout, ctx.system().scheduler());
    CompletionStage<ReputationState> reputation =
        Ask.ask(
            ctx.banRegistry(),
            BanRegistry.GetReputation::new,
            askTimeout,
            ctx.system().scheduler());
    CompletionStage<Optional<Set<Integer>>> etcdLive =
        ctx.etcd()
            .map(
                c ->
                    c.listMembers()
                        .orTimeout(askTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .thenApply(m -> Optional.of(m.keySet()))
                        // etcd down: the peers view still answers, marking etcd's view unknown.
                        .exceptionally(e -> Optional.<Set<Integer>>empty()))
            .orElse(CompletableFuture.completedFuture(Optional.empty()));
    String whenMissing = ctx.etcd().isPresent() ? "unknown" : "";
    return peers
        .thenCombine(reputation, (p, rep) -> Map.entry(p, rep))
        .thenCombine(
            etcdLive,
            (pr, live) ->
                ControlViews.peers(
                    pr.getKey(), pr.getValue(), ctx.settings().members(), live, whenMissing));
  }

  private CompletionStage<MonitorSnapshot> monitor(MonitorRequest r) {
    return peerViews()
        .thenCombine(
            counters(),
            (peers, counters) ->
                new MonitorSnapshot(
                    r.requestId(),
                    ctx.nodeId(),
                    System.currentTimeMillis(),
                    health(),
                    counters,
                    peers,
                    activity.recentTransactions(20),
                    activity.recentViolations()));
  }

  private CompletionStage<UnbanReply> unban(UnbanRequest r) {
    if (!ctx.settings().members().containsKey(r.nodeId())) {
      throw ControlFailure.notFound(
          "node " + r.nodeId() + " is not a member " + ctx.settings().members().keySet());
    }
    return Ask.<BanRegistry.Command, BanRegistry.UnbanResult>ask(
            ctx.banRegistry(),
            replyTo -> new BanRegistry.Unban(r.nodeId(), replyTo),
            askTimeout,
            ctx.system().scheduler())
        .thenApply(
            u -> {
              // The operator's unban is shared: deleting banned/<id> is seen by the other nodes.
              if (u.wasBanned()) {
                ctx.etcdWriter().ifPresent(w -> w.tell(new EtcdWriter.PublishUnban(u.nodeId())));
              }
              return new UnbanReply(
                  r.requestId(), u.nodeId(), u.wasBanned(), u.state().score(u.nodeId()));
            });
  }

  private CompletionStage<TestByzantineReply> testByzantine(TestByzantineRequest r) {
    ByzantineActions byz =
        ctx.byzantine()
            .orElseThrow(
                () ->
                    ControlFailure.forbidden(
                        "node " + ctx.nodeId() + " runs with byzantine-testing = off"));
    if (!TestByzantineRequest.TEST_TYPES.contains(r.testType())) {
      throw ControlFailure.invalid(
          "unknown test type '"
              + r.testType()
              + "'; use one of "
              + TestByzantineRequest.TEST_TYPES.stream().sorted().toList());
    }
    String tx =
        r.txId().isEmpty() ? "byz-" + r.testType() + "-" + System.currentTimeMillis() : r.txId();
    TxIds.validate(tx);
    return ctx.caster()
        .status(tx)
        .thenApply(
            s -> {
              long honest =
                  s.leadingValue().isPresent()
                      ? s.leadingValue().getAsLong()
                      : DEFAULT_HONEST_VALUE;
              String performed = perform(byz, r.testType(), tx, honest);
              return new TestByzantineReply(r.requestId(), r.testType(), tx, performed, List.of());
            });
  }

  private String perform(ByzantineActions byz, String type, String tx, long honest) {
    int self = ctx.nodeId();
    switch (type) {
      case TestByzantineRequest.DOUBLE_VOTE -> {
        ByzantineActions.Sent sent = byz.doubleVote(tx, honest, honest + 1);
        String split =
            sent.valueByPeer().entrySet().stream()
                .map(e -> "node " + e.getKey() + " got " + UnsignedValues.format(e.getValue()))
                .collect(Collectors.joining(", "));
        return "node "
            + self
            + " signed two values for tx "
            + tx
            + ": "
            + UnsignedValues.format(honest)
            + " and "
            + UnsignedValues.format(honest + 1)
            + " ("
            + split
            + ")";
      }
      case TestByzantineRequest.MINORITY_ATTACK -> {
        Vote v = byz.minorityAttack(tx, honest);
        return "node "
            + self
            + " broadcast a signed vote for "
            + UnsignedValues.format(v.value())
            + " against the leading value "
            + UnsignedValues.format(honest)
            + " on tx "
            + tx;
      }
      case TestByzantineRequest.INVALID_SIGNATURE -> {
        Vote v = byz.invalidSignature(tx, honest);
        return "node "
            + self
            + " broadcast a vote for "
            + UnsignedValues.format(v.value())
            + " on tx "
            + tx
            + " whose signature has one bit flipped";
      }
      default -> {
        byz.silent(tx);
        return "node "
            + self
            + " will not vote on tx "
            + tx
            + " (silent until the vote-timeout of "
            + ctx.settings().voteTimeout().toSeconds()
            + "s after the first vote passes)";
      }
    }
  }
}
