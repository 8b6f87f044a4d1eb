package io.mtlsvoting.persistence.etcd;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * Cluster coordination through etcd: the shared config, member liveness leases, quorum certificates
 * per transaction and bans, all under one key prefix ({@link EtcdSettings#prefix()}).
 *
 * <p>Every method is asynchronous and never blocks; any number of operations may be outstanding at
 * once. A future fails with {@link EtcdUnavailableException} when etcd cannot be reached or does
 * not answer within {@link EtcdSettings#requestTimeout()}, and with {@link
 * EtcdCoordinationException} for other errors. Futures complete on client threads: callers hand
 * results back to their actor ({@code pipeToSelf}) instead of doing work there. Keys:
 *
 * <ul>
 *   <li>{@code config}: the {@link ClusterConfigRecord} as JSON
 *   <li>{@code members/<id>}: {@link MemberInfo} as JSON, bound to a lease
 *   <li>{@code consensus/<tx_id>}: the caller's QC JSON
 *   <li>{@code banned/<id>}: the caller's ban JSON (with evidence)
 * </ul>
 */
public interface EtcdCoordinator extends AutoCloseable {

  /** A running watch; {@link #close()} stops it and throws nothing. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * "Same decision" test used by {@link #putConsensusIfAbsent(String, String)}: the two JSON texts
   * are byte-equal, or both are JSON objects with a {@code value} field holding the same value
   * (numbers and strings compared by their decimal text, so {@code 5} and {@code "5"} are equal).
   */
  BiPredicate<String, String> SAME_VALUE_FIELD = EtcdJson::sameValueField;

  /**
   * Creates a coordinator. Connecting is lazy and never fails here: {@link #isHealthy()} turns true
   * once etcd answers (a background check runs every second).
   *
   * @throws IllegalArgumentException if the TLS files cannot be loaded
   */
  static EtcdCoordinator connect(EtcdSettings settings) {
    return JetcdCoordinator.connect(Objects.requireNonNull(settings, "settings"));
  }

  /**
   * Stores {@code cfg} under {@code config} unless a config is already there, in one transaction.
   *
   * @return {@link ConfigResult.Created}, {@link ConfigResult.SameExisting} or {@link
   *     ConfigResult.Different} listing each differing field; a stored value that is not a readable
   *     config fails the future
   */
  CompletableFuture<ConfigResult> createConfigIfAbsent(ClusterConfigRecord cfg);

  /**
   * Publishes this node under {@code members/<nodeId>} bound to a lease of {@code ttl}, kept alive
   * in the background. If the lease is lost (expired during an outage, etcd restarted without it) a
   * new one is granted and the key written again, without the caller doing anything.
   *
   * @return completes once the key is first written; fails if the first attempt fails (e.g. etcd
   *     unreachable), but the registration stays and keeps retrying in the background until {@link
   *     #deregisterMember} or {@link #close()}
   */
  CompletableFuture<Void> registerMember(int nodeId, MemberInfo info, Duration ttl);

  /** {@link #registerMember(int, MemberInfo, Duration)} with {@link EtcdSettings#leaseTtl()}. */
  CompletableFuture<Void> registerMember(int nodeId, MemberInfo info);

  /** Stops keeping {@code members/<nodeId>} alive and revokes its lease (the key disappears). */
  CompletableFuture<Void> deregisterMember(int nodeId);

  /** The live members, by node id (keys that do not parse are skipped and logged). */
  CompletableFuture<SortedMap<Integer, MemberInfo>> listMembers();

  /**
   * {@link #putConsensusIfAbsent(String, String, BiPredicate)} with {@link #SAME_VALUE_FIELD}.
   *
   * @param txId a transaction id already validated by the caller ({@code TxIds.validate})
   * @param qcJson the quorum certificate as JSON, stored as-is (readable with {@code etcdctl get})
   */
  default CompletableFuture<ConsensusResult> putConsensusIfAbsent(String txId, String qcJson) {
    return putConsensusIfAbsent(txId, qcJson, SAME_VALUE_FIELD);
  }

  /**
   * Stores the QC under {@code consensus/<txId>} unless one is there, in one transaction
   * (If(createRevision == 0) Then put Else get).
   *
   * @param sameDecision given (stored JSON, this JSON); true when they decide the same value
   * @return {@link ConsensusResult.Created}, {@link ConsensusResult.SameExisting} or {@link
   *     ConsensusResult.Conflict} with the stored JSON
   */
  CompletableFuture<ConsensusResult> putConsensusIfAbsent(
      String txId, String qcJson, BiPredicate<String, String> sameDecision);

  /**
   * {@link #putConsensusIfAbsent(String, String)} for several transactions. This default makes one
   * call each; an implementation may store them in fewer etcd transactions, with the same result
   * per tx.
   *
   * @param qcJsonByTx QC JSON by tx id (ids validated by the caller)
   * @return the result per tx id; fails as a whole when etcd could not be asked
   */
  default CompletableFuture<Map<String, ConsensusResult>> putConsensusIfAbsent(
      Map<String, String> qcJsonByTx) {
    Map<String, CompletableFuture<ConsensusResult>> calls = new LinkedHashMap<>();
    qcJsonByTx.forEach((tx, json) -> calls.put(tx, putConsensusIfAbsent(tx, json)));
    return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, ConsensusResult> out = new LinkedHashMap<>();
              calls.forEach((tx, f) -> out.put(tx, f.join()));
              return out;
            });
  }

  /** The QC JSON stored for {@code txId}, if any. */
  CompletableFuture<Optional<String>> getConsensus(String txId);

  /** Writes (or overwrites) {@code banned/<nodeId>}. */
  CompletableFuture<Void> putBan(int nodeId, String banJson);

  /**
   * Deletes {@code banned/<nodeId>} (operator unban).
   *
   * @return whether a ban was there
   */
  CompletableFuture<Boolean> deleteBan(int nodeId);

  /** The current bans: node id to ban JSON. */
  CompletableFuture<Map<Integer, String>> listBans();

  /**
   * Follows {@code banned/}: first one {@link BanEvent.Banned} per current ban, then every change,
   * in revision order, without gaps. After a lost connection the watch resumes from the last
   * revision seen; if etcd compacted that revision away, it re-reads the bans and reports the
   * differences. The listener runs on a client thread and must not block.
   *
   * @return stops the watch when closed
   */
  Subscription watchBans(Consumer<BanEvent> listener);

  /** Whether the last request or background check reached etcd. */
  boolean isHealthy();

  /**
   * The last connectivity error, if any, with when it happened (for {@code info}/{@code monitor}).
   */
  Optional<String> lastError();

  /**
   * Revokes member leases (best effort, bounded by the request timeout), stops watches,
   * disconnects.
   */
  @Override
  void close();
}
