package io.mtlsvoting.node.tally;

import io.mtlsvoting.node.mesh.PeerIngress;
import io.mtlsvoting.protocol.Echo;
import io.mtlsvoting.protocol.Evidence;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.TxIds;
import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteRequest;
import io.mtlsvoting.protocol.VoteVerifier;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The verification stage between the mesh and the tallies: checks each peer vote's signature with
 * the certified key of the authenticated sender on a bounded pool, in parallel and off the tallies'
 * threads. Valid votes and evidence go to the {@link VoteRouter}; forged or spoofed votes become
 * INVALID_SIGNATURE against the authenticated sender. A peer's request for this node's vote goes to
 * the tally directly (nothing to verify). Never blocks: a full pool drops and counts.
 */
public final class VerifyingIngress implements PeerIngress, AutoCloseable {
  private final String clusterId;
  private final Map<Integer, VoteVerifier> verifiers;
  private final ActorRef<VoteRouter.Command> router;
  private final ExecutorService pool;
  private final TallyMetrics metrics;
  private volatile TallyListener observer = TallyListener.NONE;

  VerifyingIngress(
      String clusterId,
      Map<Integer, VoteVerifier> verifiers,
      ActorRef<VoteRouter.Command> router,
      ExecutorService pool,
      TallyMetrics metrics) {
    this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    this.verifiers = Map.copyOf(verifiers);
    this.router = Objects.requireNonNull(router, "router");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * An ingress verifying with the members' certificate keys on its own pool of {@code
   * settings.effectiveVerifyParallelism()} threads; {@link #close} it on shutdown.
   */
  public static VerifyingIngress create(
      Membership membership,
      Map<Integer, X509Certificate> memberCerts,
      ActorRef<VoteRouter.Command> router,
      TallySettings settings,
      TallyMetrics metrics) {
    Map<Integer, VoteVerifier> verifiers = new HashMap<>();
    for (int id : membership.members()) {
      X509Certificate cert = memberCerts.get(id);
      if (cert == null) {
        throw new IllegalArgumentException("no certificate for member " + id);
      }
      verifiers.put(id, VoteVerifier.of(cert));
    }
    return withVerifiers(membership.clusterId(), verifiers, router, settings, metrics);
  }

  /** {@code listener} is told of each peer vote that passed verification (for measurements). */
  public VerifyingIngress observe(TallyListener listener) {
    this.observer = java.util.Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** As {@link #create} with verifiers built elsewhere (tests with in-process keys). */
  public static VerifyingIngress withVerifiers(
      String clusterId,
      Map<Integer, VoteVerifier> verifiers,
      ActorRef<VoteRouter.Command> router,
      TallySettings settings,
      TallyMetrics metrics) {
    int threads = settings.effectiveVerifyParallelism();
    AtomicInteger seq = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            0L,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(settings.verifyQueueCapacity()),
            r -> {
              Thread t = new Thread(r, "tally-verify-" + seq.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    return new VerifyingIngress(clusterId, verifiers, router, pool, metrics);
  }

  @Override
  public void deliver(int authenticatedPeerId, Message message) {
    Runnable work;
    if (message instanceof Vote v) {
      work = () -> verifyVote(authenticatedPeerId, v);
    } else if (message instanceof Evidence e) {
      work = () -> verifyEvidence(authenticatedPeerId, e);
    } else if (message instanceof Echo e) {
      work = () -> verifyEcho(e.vote());
    } else if (message instanceof VoteRequest r) {
      // Nothing to verify (the link authenticated the peer): the tally answers with its own vote.
      metrics.increment("ingress.vote-requests");
      router.tell(new VoteRouter.Route(r.txId(), new VoteTally.SendOwnVote(authenticatedPeerId)));
      return;
    } else {
      metrics.increment("ingress.unexpected." + message.getClass().getSimpleName());
      return;
    }
    try {
      pool.execute(work);
    } catch (RejectedExecutionException e) {
      metrics.increment("ingress.dropped");
    }
  }

  private void verifyVote(int peer, Vote v) {
    if (!TxIds.isValid(v.txId())) {
      metrics.increment("ingress.bad-tx-id");
      return;
    }
    VoteVerifier verifier = verifiers.get(peer);
    if (verifier == null) {
      metrics.increment("ingress.unknown-peer");
      return;
    }
    if (v.nodeId() != peer) {
      reject(peer, v, "vote claims node " + v.nodeId() + " but came from node " + peer);
    } else if (!verifier.verify(clusterId, v)) {
      reject(peer, v, "signature does not verify under node " + peer + "'s certificate");
    } else {
      metrics.increment("ingress.votes-verified");
      PropagationCounters.record(metrics, v.issuedAt(), System.currentTimeMillis());
      observer.onVerified(v);
      router.tell(new VoteRouter.Route(v.txId(), new VoteTally.Deliver(v)));
    }
  }

  private void reject(int peer, Vote v, String reason) {
    metrics.increment("ingress.invalid-signature");
    router.tell(
        new VoteRouter.Route(v.txId(), new VoteTally.ReportInvalidSignature(peer, v, reason)));
  }

  private void verifyEvidence(int peer, Evidence e) {
    Vote a = e.first();
    Vote b = e.second();
    VoteVerifier verifier = verifiers.get(a.nodeId());
    boolean valid =
        verifier != null
            && a.nodeId() == b.nodeId()
            && a.txId().equals(b.txId())
            && TxIds.isValid(a.txId())
            && a.value() != b.value()
            && verifier.verify(clusterId, a)
            && verifier.verify(clusterId, b);
    if (!valid) {
      metrics.increment("ingress.invalid-evidence");
      return;
    }
    metrics.increment("ingress.evidence-verified");
    router.tell(new VoteRouter.Route(a.txId(), new VoteTally.ReportEvidence(e, peer)));
  }

  /**
   * An echoed vote is checked under its signer's key (not the relaying peer's) and never counted.
   */
  private void verifyEcho(Vote v) {
    VoteVerifier verifier = verifiers.get(v.nodeId());
    if (verifier == null || !TxIds.isValid(v.txId()) || !verifier.verify(clusterId, v)) {
      metrics.increment("ingress.invalid-echo");
      return;
    }
    metrics.increment("ingress.echo-verified");
    router.tell(new VoteRouter.Route(v.txId(), new VoteTally.CrossCheck(v)));
  }

  /** Stops the verification pool; queued work is discarded. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
