package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@code members/<id>} key alive: grant a lease, put the key with it, keep the lease
 * alive; when the lease is lost (not found, or no keep-alive answer within its TTL) grant a new one
 * and put the key again, retrying with backoff until it works or the member is stopped.
 */
final class MemberLease {
  private static final Logger LOG = LoggerFactory.getLogger(MemberLease.class);
  private static final long MIN_RETRY_MILLIS = 200;

  private final KV kv;
  private final Lease lease;
  private final EtcdCalls calls;
  private final ScheduledExecutorService scheduler;
  private final ByteSequence key;
  private final ByteSequence value;
  private final String name;
  private final long ttlSeconds;
  private final CompletableFuture<Void> firstWrite = new CompletableFuture<>();

  // Guarded by this.
  private boolean stopped;
  private long leaseId;
  private CloseableClient keepAlive;
  private int failures;

  MemberLease(
      KV kv,
      Lease lease,
      EtcdCalls calls,
      ScheduledExecutorService scheduler,
      String key,
      String value,
      Duration ttl) {
    this.kv = kv;
    this.lease = lease;
    this.calls = calls;
    this.scheduler = scheduler;
    this.name = key;
    this.key = EtcdKeys.bytes(key);
    this.value = EtcdKeys.bytes(value);
    this.ttlSeconds = ttl.toSeconds();
  }

  /** Starts; the future reports the first attempt, later attempts continue in the background. */
  CompletableFuture<Void> start() {
    establish();
    return firstWrite;
  }

  private void establish() {
    synchronized (this) {
      if (stopped) {
        return;
      }
    }
    calls
        .call("grant lease for " + name, () -> lease.grant(ttlSeconds))
        .thenCompose(
            grant ->
                calls
                    .call(
                        "put " + name,
                        () ->
                            kv.put(
                                key, value, PutOption.builder().withLeaseId(grant.getID()).build()))
                    .handle(
                        (put, error) -> {
                          if (error != null) {
                            revokeQuietly(grant.getID());
                            throw EtcdCalls.asCompletion(error);
                          }
                          return grant.getID();
                        }))
        .whenComplete(this::established);
  }

  // jetcd calls happen outside this object's lock: jetcd's keep-alive thread calls back into it
  // while holding jetcd's own locks.
  private void established(Long newLease, Throwable error) {
    if (error != null) {
      long delay;
      synchronized (this) {
        delay = retryDelayMillis(failures++);
        if (stopped) {
          return;
        }
      }
      LOG.warn("{}: registration failed, retrying in {} ms: {}", name, delay, error.getMessage());
      firstWrite.completeExceptionally(error);
      schedule(delay);
      return;
    }
    CloseableClient handle = lease.keepAlive(newLease, observer(newLease));
    long previous;
    boolean kept;
    synchronized (this) {
      previous = leaseId;
      kept = !stopped;
      if (kept) {
        failures = 0;
        leaseId = newLease;
        keepAlive = handle;
      }
    }
    if (!kept) {
      handle.close();
      revokeQuietly(newLease);
      firstWrite.completeExceptionally(
          new EtcdCoordinationException(name + ": deregistered before it was written", null));
      return;
    }
    if (previous != 0) {
      LOG.info("{}: re-registered with lease {} (lost lease {})", name, newLease, previous);
      revokeQuietly(previous);
    }
    firstWrite.complete(null);
  }

  private StreamObserver<LeaseKeepAliveResponse> observer(long id) {
    return new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveResponse response) {
        calls.markHealthy();
      }

      @Override
      public void onError(Throwable t) {
        if (EtcdCalls.isLeaseNotFound(t)) {
          lost(id, "lease not found");
        } else {
          // jetcd re-opens the keep-alive stream itself; the lease stays ours unless it expires.
          calls.translate("keep-alive for " + name, t);
        }
      }

      @Override
      public void onCompleted() {
        lost(id, "no keep-alive answer within the TTL");
      }
    };
  }

  private void lost(long id, String why) {
    CloseableClient handle;
    synchronized (this) {
      if (stopped || leaseId != id) {
        return;
      }
      handle = keepAlive;
      keepAlive = null;
    }
    if (handle != null) {
      handle.close();
    }
    LOG.warn("{}: lease {} lost ({}); registering again", name, id, why);
    schedule(MIN_RETRY_MILLIS);
  }

  private void schedule(long delayMillis) {
    try {
      scheduler.schedule(this::establish, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.debug("{}: not retrying, coordinator closed", name);
    }
  }

  /**
   * Stops keeping the key alive.
   *
   * @param revoke revoke the lease (the key disappears now) or let it expire after its TTL
   */
  CompletableFuture<Void> stop(boolean revoke) {
    long id;
    CloseableClient handle;
    synchronized (this) {
      stopped = true;
      id = leaseId;
      handle = keepAlive;
      keepAlive = null;
    }
    if (handle != null) {
      handle.close();
    }
    if (!revoke || id == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return calls
        .call("revoke lease of " + name, () -> lease.revoke(id))
        .handle(
            (r, error) -> {
              if (error != null && !EtcdCalls.isLeaseNotFound(error)) {
                throw EtcdCalls.asCompletion(error);
              }
              return null;
            });
  }

  private void revokeQuietly(long id) {
    calls
        .call("revoke lease " + id, () -> lease.revoke(id))
        .whenComplete(
            (r, error) -> {
              if (error != null && !EtcdCalls.isLeaseNotFound(error)) {
                LOG.debug("{}: revoking old lease {} failed: {}", name, id, error.getMessage());
              }
            });
  }

  private long retryDelayMillis(int failureCount) {
    long cap = Math.max(MIN_RETRY_MILLIS, ttlSeconds * 1000 / 3);
    return Math.min(cap, MIN_RETRY_MILLIS << Math.min(failureCount, 10));
  }
}
