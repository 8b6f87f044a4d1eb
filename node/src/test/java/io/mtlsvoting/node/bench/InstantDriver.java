package io.mtlsvoting.node.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A driver for tests of the bench's own logic: three members, threshold 2, no etcd; every cast is
 * decided at once (reported to the recorder), a double vote is refused. Subclasses script the rest.
 */
class InstantDriver implements BenchDriver {
  private final BenchRecorder recorder;

  InstantDriver(BenchRecorder recorder) {
    this.recorder = recorder;
  }

  @Override
  public String describe() {
    return "scripted";
  }

  @Override
  public List<Integer> members() {
    return List.of(1, 2, 3);
  }

  @Override
  public int threshold() {
    return 2;
  }

  @Override
  public boolean commits() {
    return false;
  }

  @Override
  public CompletionStage<?> cast(int nodeId, String txId, long value) {
    recorder.decided(nodeId, txId, System.nanoTime());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletionStage<?> doubleVote(int nodeId, String txId, long value) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException());
  }
}
