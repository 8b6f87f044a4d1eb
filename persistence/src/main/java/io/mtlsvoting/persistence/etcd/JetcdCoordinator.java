package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link EtcdCoordinator} on jetcd: one client, create-if-absent as single etcd transactions. */
final class JetcdCoordinator implements EtcdCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(JetcdCoordinator.class);
  private static final long HEALTH_PROBE_MILLIS = 1000;

  private final EtcdSettings settings;
  private final EtcdKeys keys;
  private final Client client;
  private final KV kv;
  private final EtcdCalls calls;
  private final ScheduledExecutorService scheduler;
  private final Map<Integer, MemberLease> members = new ConcurrentHashMap<>();
  private final List<BanWatcher> watchers = new CopyOnWriteArrayList<>();
  // Null when consensus keys are kept for good.
  private final ConsensusLeases consensusLeases;
  private volatile boolean closed;

  private JetcdCoordinator(EtcdSettings settings, Client client) {
    this.settings = settings;
    this.keys = new EtcdKeys(settings.prefix());
    this.client = client;
    this.kv = client.getKVClient();
    this.calls = new EtcdCalls(settings.endpoints(), settings.requestTimeout());
    this.consensusLeases =
        settings.consensusRetention().isZero()
            ? null
            : new ConsensusLeases(client.getLeaseClient(), calls, settings);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "etcd-coordinator");
              t.setDaemon(true);
              return t;
            });
  }

  static JetcdCoordinator connect(EtcdSettings settings) {
    JetcdCoordinator c = new JetcdCoordinator(settings, buildClient(settings));
    if (settings.consensusRetention().isZero()) {
      LOG.info(
          "consensus keys under {} are kept for good (consensus-retention = off)",
          settings.prefix());
    } else {
      LOG.info(
          "consensus keys under {} leave etcd after {} s (leases of {} s, a new one every {} s)",
          settings.prefix(),
          settings.consensusRetention().toSeconds(),
          settings.consensusLeaseTtlSeconds(),
          settings.consensusLeaseRotation().toMillis() / 1000.0);
    }
    c.scheduleProbe(0);
    return c;
  }

  private static Client buildClient(EtcdSettings settings) {
    ClientBuilder builder =
        Client.builder()
            .endpoints(settings.endpoints())
            .connectTimeout(settings.connectTimeout())
            .interceptor(unaryDeadline(settings.requestTimeout()));
    boolean https = "https".equals(settings.endpoints().get(0).getScheme());
    if (https) {
      try {
        builder.sslContext(
            ssl ->
                settings
                    .tls()
                    .ifPresent(
                        tls -> {
                          ssl.trustManager(tls.caFile().toFile());
                          tls.certFile()
                              .ifPresent(
                                  cert ->
                                      ssl.keyManager(
                                          cert.toFile(), tls.keyFile().orElseThrow().toFile()));
                        }));
      } catch (SSLException | RuntimeException e) {
        throw new IllegalArgumentException("etcd tls: cannot build the TLS context: " + e, e);
      }
    }
    return builder.build();
  }

  /** Bounds every unary call on the wire too, so timed-out calls do not linger in gRPC. */
  private static ClientInterceptor unaryDeadline(Duration timeout) {
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        CallOptions bounded = options;
        if (method.getType() == MethodDescriptor.MethodType.UNARY
            && options.getDeadline() == null) {
          bounded = options.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return next.newCall(method, bounded);
      }
    };
  }

  @Override
  public CompletableFuture<ConfigResult> createConfigIfAbsent(ClusterConfigRecord cfg) {
    Objects.requireNonNull(cfg, "cfg");
    String key = keys.config();
    return createIfAbsent(key, EtcdJson.config(cfg), PutOption.DEFAULT)
        .thenApply(
            existing -> {
              if (existing.isEmpty()) {
                return new ConfigResult.Created();
              }
              ClusterConfigRecord stored;
              try {
                stored = EtcdJson.parseConfig(existing.get());
              } catch (IllegalArgumentException e) {
                throw new EtcdCoordinationException(
                    key
                        + " holds no readable cluster config ("
                        + e.getMessage()
                        + "): "
                        + existing.get(),
                    e);
              }
              List<String> differences = cfg.differencesFrom(stored);
              return differences.isEmpty()
                  ? new ConfigResult.SameExisting()
                  : new ConfigResult.Different(stored, differences);
            });
  }

  @Override
  public CompletableFuture<ConsensusResult> putConsensusIfAbsent(
      String txId, String qcJson, BiPredicate<String, String> sameDecision) {
    Objects.requireNonNull(qcJson, "qcJson");
    Objects.requireNonNull(sameDecision, "sameDecision");
    String key = keys.consensus(txId);
    return withConsensusLease("create-if-absent " + key, put -> createIfAbsent(key, qcJson, put))
        .thenApply(
            existing -> {
              if (existing.isEmpty()) {
                return new ConsensusResult.Created();
              }
              String stored = existing.get();
              return sameDecision.test(stored, qcJson)
                  ? new ConsensusResult.SameExisting(stored)
                  : new ConsensusResult.Conflict(stored);
            });
  }

  /**
   * One etcd request for the whole batch: an outer transaction without conditions whose operations
   * are one nested transaction per QC, If(createRevision(k) == 0) Then put Else get. Each key is
   * created-if-absent on its own, atomically and at one revision, so a batch in which a peer
   * already stored some of the QCs needs no second round (etcd >= 3.3 runs nested transactions).
   */
  @Override
  public CompletableFuture<Map<String, ConsensusResult>> putConsensusIfAbsent(
      Map<String, String> qcJsonByTx) {
    if (qcJsonByTx.size() <= 1) {
      return EtcdCoordinator.super.putConsensusIfAbsent(qcJsonByTx);
    }
    List<String> txs = List.copyOf(qcJsonByTx.keySet());
    return withConsensusLease(
            "create-if-absent of " + txs.size() + " consensus keys",
            put -> createAllIfAbsent(txs, qcJsonByTx, put))
        .thenApply(
            txn -> {
              List<TxnResponse> inner = txn.getTxnResponses();
              if (inner.size() != txs.size()) {
                throw new EtcdCoordinationException(
                    "etcd answered "
                        + inner.size()
                        + " nested transactions for a batch of "
                        + txs.size()
                        + " consensus keys",
                    null);
              }
              Map<String, ConsensusResult> out = new LinkedHashMap<>();
              for (int i = 0; i < txs.size(); i++) {
                String json = qcJsonByTx.get(txs.get(i));
                Optional<String> existing = existingValue(inner.get(i));
                out.put(
                    txs.get(i),
                    existing.isEmpty()
                        ? new ConsensusResult.Created()
                        : SAME_VALUE_FIELD.test(existing.get(), json)
                            ? new ConsensusResult.SameExisting(existing.get())
                            : new ConsensusResult.Conflict(existing.get()));
              }
              return out;
            });
  }

  private CompletableFuture<TxnResponse> createAllIfAbsent(
      List<String> txs, Map<String, String> qcJsonByTx, PutOption put) {
    Op[] perTx = new Op[txs.size()];
    for (int i = 0; i < perTx.length; i++) {
      ByteSequence k = EtcdKeys.bytes(keys.consensus(txs.get(i)));
      perTx[i] =
          Op.txn(
              new Cmp[] {new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0))},
              new Op[] {Op.put(k, EtcdKeys.bytes(qcJsonByTx.get(txs.get(i))), put)},
              new Op[] {Op.get(k, GetOption.DEFAULT)});
    }
    return calls.call(
        "create-if-absent of " + txs.size() + " consensus keys",
        () -> kv.txn().Then(perTx).commit());
  }

  /**
   * Runs a consensus write with the put option that stores its keys under the current consensus
   * lease (or without a lease when keys are kept for good). When etcd no longer knows that lease
   * (it ended early, e.g. revoked by an operator), the write runs once more with a new one. A lease
   * that cannot be granted fails the write, named by {@code what}.
   */
  private <T> CompletableFuture<T> withConsensusLease(
      String what, Function<PutOption, CompletableFuture<T>> write) {
    if (consensusLeases == null) {
      return write.apply(PutOption.DEFAULT);
    }
    return consensusLeases
        .current()
        .exceptionallyCompose(error -> CompletableFuture.failedFuture(naming(what, error)))
        .thenCompose(
            leaseId ->
                write
                    .apply(leased(leaseId))
                    .exceptionallyCompose(
                        error -> {
                          if (!EtcdCalls.isLeaseNotFound(error)) {
                            return CompletableFuture.failedFuture(error);
                          }
                          LOG.info(
                              "etcd no longer knows consensus lease {}; storing with a new one",
                              Long.toHexString(leaseId));
                          consensusLeases.lost(leaseId);
                          return consensusLeases
                              .current()
                              .thenCompose(next -> write.apply(leased(next)));
                        }));
  }

  /** {@code error} of a step of {@code what}, with {@code what} in front of its message. */
  private static Throwable naming(String what, Throwable error) {
    Throwable cause = EtcdCalls.unwrap(error);
    if (cause instanceof EtcdUnavailableException u) {
      return new EtcdUnavailableException(what + ": " + u.getMessage(), u);
    }
    if (cause instanceof EtcdCoordinationException c) {
      return new EtcdCoordinationException(what + ": " + c.getMessage(), c);
    }
    return cause;
  }

  private static PutOption leased(long leaseId) {
    return PutOption.builder().withLeaseId(leaseId).build();
  }

  /** One transaction: If(createRevision(key) == 0) Then put Else get; empty when created. */
  private CompletableFuture<Optional<String>> createIfAbsent(
      String key, String value, PutOption put) {
    ByteSequence k = EtcdKeys.bytes(key);
    return calls
        .call(
            "create-if-absent " + key,
            () ->
                kv.txn()
                    .If(new Cmp(k, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(k, EtcdKeys.bytes(value), put))
                    .Else(Op.get(k, GetOption.DEFAULT))
                    .commit())
        .thenApply(JetcdCoordinator::existingValue);
  }

  private static Optional<String> existingValue(TxnResponse txn) {
    if (txn.isSucceeded()) {
      return Optional.empty();
    }
    List<KeyValue> kvs = txn.getGetResponses().get(0).getKvs();
    // The compare failed, so the key existed within the same transaction.
    return Optional.of(EtcdKeys.text(kvs.get(0).getValue()));
  }

  @Override
  public CompletableFuture<Optional<String>> getConsensus(String txId) {
    String key = keys.consensus(txId);
    return calls
        .call("get " + key, () -> kv.get(EtcdKeys.bytes(key)))
        .thenApply(
            r ->
                r.getKvs().isEmpty()
                    ? Optional.empty()
                    : Optional.of(EtcdKeys.text(r.getKvs().get(0).getValue())));
  }

  @Override
  public CompletableFuture<Void> registerMember(int nodeId, MemberInfo info, Duration ttl) {
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.toSeconds() < 2) {
      throw new IllegalArgumentException("member lease TTL must be at least 2s, got " + ttl);
    }
    ensureOpen();
    String key = keys.member(nodeId);
    MemberLease lease =
        new MemberLease(
            kv, client.getLeaseClient(), calls, scheduler, key, EtcdJson.member(info), ttl);
    if (members.putIfAbsent(nodeId, lease) != null) {
      throw new IllegalStateException(
          "member " + nodeId + " is already registered; deregisterMember(" + nodeId + ") first");
    }
    return lease.start();
  }

  @Override
  public CompletableFuture<Void> registerMember(int nodeId, MemberInfo info) {
    return registerMember(nodeId, info, settings.leaseTtl());
  }

  @Override
  public CompletableFuture<Void> deregisterMember(int nodeId) {
    MemberLease lease = members.remove(nodeId);
    return lease == null ? CompletableFuture.completedFuture(null) : lease.stop(true);
  }

  /** Stops keeping the member alive without revoking: the key lives until its TTL runs out. */
  void abandonMember(int nodeId) {
    MemberLease lease = members.remove(nodeId);
    if (lease != null) {
      lease.stop(false);
    }
  }

  @Override
  public CompletableFuture<SortedMap<Integer, MemberInfo>> listMembers() {
    String dir = keys.membersDir();
    return calls
        .call(
            "list " + dir,
            () -> kv.get(EtcdKeys.bytes(dir), GetOption.builder().isPrefix(true).build()))
        .thenApply(
            r -> {
              SortedMap<Integer, MemberInfo> out = new TreeMap<>();
              for (KeyValue kv : r.getKvs()) {
                String key = EtcdKeys.text(kv.getKey());
                OptionalInt id = EtcdKeys.nodeIdOf(key, dir);
                try {
                  if (id.isEmpty()) {
                    throw new IllegalArgumentException("not members/<positive id>");
                  }
                  out.put(id.getAsInt(), EtcdJson.parseMember(EtcdKeys.text(kv.getValue())));
                } catch (IllegalArgumentException e) {
                  LOG.warn("skipping unreadable member entry {}: {}", key, e.getMessage());
                }
              }
              return out;
            });
  }

  @Override
  public CompletableFuture<Void> putBan(int nodeId, String banJson) {
    Objects.requireNonNull(banJson, "banJson");
    String key = keys.ban(nodeId);
    return calls
        .call("put " + key, () -> kv.put(EtcdKeys.bytes(key), EtcdKeys.bytes(banJson)))
        .thenApply(r -> null);
  }

  @Override
  public CompletableFuture<Boolean> deleteBan(int nodeId) {
    String key = keys.ban(nodeId);
    return calls
        .call("delete " + key, () -> kv.delete(EtcdKeys.bytes(key), DeleteOption.DEFAULT))
        .thenApply(r -> r.getDeleted() > 0);
  }

  @Override
  public CompletableFuture<Map<Integer, String>> listBans() {
    String dir = keys.bansDir();
    return calls
        .call(
            "list " + dir,
            () -> kv.get(EtcdKeys.bytes(dir), GetOption.builder().isPrefix(true).build()))
        .thenApply(
            r -> {
              Map<Integer, String> out = new TreeMap<>();
              for (KeyValue kv : r.getKvs()) {
                EtcdKeys.nodeIdOf(EtcdKeys.text(kv.getKey()), dir)
                    .ifPresent(id -> out.put(id, EtcdKeys.text(kv.getValue())));
              }
              return out;
            });
  }

  @Override
  public Subscription watchBans(Consumer<BanEvent> listener) {
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    BanWatcher w =
        new BanWatcher(kv, client.getWatchClient(), calls, scheduler, keys.bansDir(), listener);
    watchers.add(w);
    w.start();
    return () -> {
      watchers.remove(w);
      w.close();
    };
  }

  @Override
  public boolean isHealthy() {
    return calls.isHealthy();
  }

  @Override
  public Optional<String> lastError() {
    return calls.lastError();
  }

  /** A cheap read every second keeps {@link #isHealthy()} current when the node is idle. */
  private void scheduleProbe(long delayMillis) {
    try {
      scheduler.schedule(this::probe, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("health probe stopped: coordinator closed");
    }
  }

  private void probe() {
    if (closed) {
      return;
    }
    ByteSequence key = EtcdKeys.bytes(keys.config());
    calls
        .call("health check", () -> kv.get(key, GetOption.builder().withCountOnly(true).build()))
        .whenComplete((r, error) -> scheduleProbe(HEALTH_PROBE_MILLIS));
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("etcd coordinator is closed");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    watchers.forEach(BanWatcher::close);
    watchers.clear();
    List<CompletableFuture<Void>> revokes = new ArrayList<>();
    members.values().forEach(m -> revokes.add(m.stop(true)));
    members.clear();
    try {
      CompletableFuture.allOf(revokes.toArray(CompletableFuture[]::new))
          .get(settings.requestTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("closing: member leases not revoked, they expire after their TTL: {}", e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    scheduler.shutdownNow();
    client.close();
  }
}
