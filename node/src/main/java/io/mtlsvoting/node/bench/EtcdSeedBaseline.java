package io.mtlsvoting.node.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The seed design's counting, for comparison: every vote goes to etcd (read the vote key, write it,
 * increment the per-value counter by compare-and-swap, check the threshold), with the same number
 * of txs and members against the same etcd, {@code concurrency} txs in flight.
 */
public final class EtcdSeedBaseline {
  private EtcdSeedBaseline() {}

  /** What the baseline achieved. */
  public record Result(
      int txs,
      int decided,
      double seconds,
      double txPerS,
      double votesPerS,
      long casRetries,
      LatencyHistogram.Summary decisionLatency) {}

  /** Runs {@code txs} txs, every member voting value 1, against {@code endpoint}. */
  public static Result run(
      URI endpoint, List<Integer> members, int threshold, int txs, int concurrency, String prefix)
      throws InterruptedException {
    try (Client client = Client.builder().endpoints(endpoint).build()) {
      KV kv = client.getKVClient();
      LatencyHistogram latency = new LatencyHistogram();
      LongAdder retries = new LongAdder();
      LongAdder decided = new LongAdder();
      Semaphore window = new Semaphore(concurrency);
      long start = System.nanoTime();
      for (int i = 0; i < txs; i++) {
        window.acquire();
        String tx = prefix + "tx-" + i;
        long t0 = System.nanoTime();
        List<CompletableFuture<Boolean>> votes = new ArrayList<>();
        for (int id : members) {
          votes.add(vote(kv, prefix, tx, id, 1L, threshold, retries));
        }
        CompletableFuture.allOf(votes.toArray(CompletableFuture[]::new))
            .whenComplete(
                (ok, err) -> {
                  if (err == null && votes.stream().anyMatch(CompletableFuture::join)) {
                    decided.increment();
                    latency.recordNanos(System.nanoTime() - t0);
                  }
                  window.release();
                });
      }
      if (!window.tryAcquire(concurrency, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("etcd baseline did not finish within 120 s");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(
          txs,
          decided.intValue(),
          seconds,
          decided.sum() / seconds,
          (double) txs * members.size() / seconds,
          retries.sum(),
          latency.summary());
    }
  }

  /** One vote; completes true when this vote's increment made the value reach the threshold. */
  private static CompletableFuture<Boolean> vote(
      KV kv, String prefix, String tx, int nodeId, long value, int t, LongAdder retries) {
    ByteSequence voteKey = bytes(prefix + "votes/" + tx + "/" + nodeId);
    ByteSequence counter = bytes(prefix + "count/" + tx + "/" + value);
    return kv.get(voteKey)
        .thenCompose(
            r -> {
              if (r.getCount() > 0) {
                return CompletableFuture.completedFuture(false);
              }
              return kv.put(voteKey, bytes(Long.toString(value)))
                  .thenCompose(p -> increment(kv, counter, t, retries));
            });
  }

  /** Compare-and-swap increment of the counter, retried on conflict; true when it reached t. */
  private static CompletableFuture<Boolean> increment(
      KV kv, ByteSequence counter, int t, LongAdder retries) {
    return kv.get(counter)
        .thenCompose(
            r -> {
              List<KeyValue> kvs = r.getKvs();
              long current =
                  kvs.isEmpty()
                      ? 0
                      : Long.parseLong(kvs.get(0).getValue().toString(StandardCharsets.UTF_8));
              Cmp cmp =
                  kvs.isEmpty()
                      ? new Cmp(counter, Cmp.Op.EQUAL, CmpTarget.createRevision(0))
                      : new Cmp(
                          counter,
                          Cmp.Op.EQUAL,
                          CmpTarget.modRevision(kvs.get(0).getModRevision()));
              long next = current + 1;
              return kv.txn()
                  .If(cmp)
                  .Then(Op.put(counter, bytes(Long.toString(next)), PutOption.DEFAULT))
                  .commit()
                  .thenCompose(
                      txn -> {
                        if (txn.isSucceeded()) {
                          return CompletableFuture.completedFuture(next == t);
                        }
                        retries.increment();
                        return increment(kv, counter, t, retries);
                      });
            });
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
