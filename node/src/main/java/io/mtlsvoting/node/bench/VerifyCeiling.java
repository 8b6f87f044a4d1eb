package io.mtlsvoting.node.bench;

import io.mtlsvoting.protocol.Vote;
import io.mtlsvoting.protocol.VoteSigner;
import io.mtlsvoting.protocol.VoteVerifier;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The throughput ceiling set by signature checks: Ed25519 verifications per second on all cores
 * (BouncyCastle through {@link VoteVerifier}, the code path every received vote takes).
 */
public final class VerifyCeiling {
  private VerifyCeiling() {}

  /** What one measurement found. */
  public record Result(int threads, double seconds, long verifications, double verifiesPerS) {}

  /** Verifies pre-signed votes on {@code threads} threads for a warm-up and then {@code length}. */
  public static Result measure(int threads, Duration warmup, Duration length) {
    byte[] seed = new byte[32];
    new SecureRandom().nextBytes(seed);
    VoteSigner signer = VoteSigner.fromSeed(seed);
    VoteVerifier verifier = VoteVerifier.fromRaw(signer.publicKey());
    List<Vote> votes = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      votes.add(signer.sign("bench", "ceiling-" + i, 1, i, System.currentTimeMillis()));
    }
    LongAdder count = new LongAdder();
    AtomicBoolean counting = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch done = new CountDownLatch(threads);
    for (int th = 0; th < threads; th++) {
      int offset = th;
      Thread t =
          new Thread(
              () -> {
                int i = offset;
                while (!stop.get()) {
                  if (!verifier.verify("bench", votes.get(i++ & 255))) {
                    throw new IllegalStateException("a valid vote did not verify");
                  }
                  if (counting.get()) {
                    count.increment();
                  }
                }
                done.countDown();
              },
              "verify-ceiling-" + th);
      t.setDaemon(true);
      t.start();
    }
    try {
      Thread.sleep(warmup.toMillis());
      counting.set(true);
      long start = System.nanoTime();
      Thread.sleep(length.toMillis());
      counting.set(false);
      double seconds = (System.nanoTime() - start) / 1e9;
      stop.set(true);
      done.await();
      long v = count.sum();
      return new Result(threads, seconds, v, v / seconds);
    } catch (InterruptedException e) {
      stop.set(true);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
