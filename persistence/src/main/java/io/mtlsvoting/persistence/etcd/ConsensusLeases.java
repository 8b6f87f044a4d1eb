package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseGrantResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The leases consensus keys are stored with, so they leave etcd after the retention: one lease
 * serves every key stored during one rotation period ({@link
 * EtcdSettings#consensusLeaseRotation()}), then the next is granted; its TTL is the retention plus
 * the rotation, so every key stays at least the retention. Nothing keeps the leases alive: etcd
 * ends each one, with its keys, when its TTL runs out.
 *
 * <p>Thread-safe: callers on any thread share the current lease; a failed grant is not kept, so the
 * next caller asks again.
 */
final class ConsensusLeases {
  private final Lease lease;
  private final EtcdCalls calls;
  private final long ttlSeconds;
  private final long rotationNanos;
  private CompletableFuture<Long> current;
  private long grantedAtNanos;

  ConsensusLeases(Lease lease, EtcdCalls calls, EtcdSettings settings) {
    if (settings.consensusRetention().isZero()) {
      throw new IllegalArgumentException("consensus keys are kept for good: no leases to grant");
    }
    this.lease = lease;
    this.calls = calls;
    this.ttlSeconds = settings.consensusLeaseTtlSeconds();
    this.rotationNanos = settings.consensusLeaseRotation().toNanos();
  }

  /** The lease to store a consensus key with now; granted when the last one has served its time. */
  synchronized CompletableFuture<Long> current() {
    long now = System.nanoTime();
    if (current == null
        || current.isCompletedExceptionally()
        || now - grantedAtNanos >= rotationNanos) {
      // Timed from before the grant: etcd starts the TTL later, so the key outlives the retention.
      grantedAtNanos = now;
      current =
          calls
              .call(
                  "grant a " + ttlSeconds + " s lease for consensus keys",
                  () -> lease.grant(ttlSeconds))
              .thenApply(LeaseGrantResponse::getID);
    }
    return current;
  }

  /** etcd no longer knows {@code leaseId} (it ended early): the next caller gets a new lease. */
  synchronized void lost(long leaseId) {
    if (current != null
        && current.isDone()
        && !current.isCompletedExceptionally()
        && current.getNow(0L) == leaseId) {
      current = null;
    }
  }
}
