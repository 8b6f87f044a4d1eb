package io.mtlsvoting.node.bench;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What {@link ClusterBench} drives: casting one member's vote for a tx. Decisions are observed
 * through the {@link BenchRecorder} the driver's nodes report their tally events to.
 */
public interface BenchDriver {
  /** The member ids, ascending. */
  List<Integer> members();

  /** The threshold t. */
  int threshold();

  /** True when decisions are committed through etcd (COMMITTED events are expected). */
  boolean commits();

  /** Casts node {@code nodeId}'s vote of {@code value} for {@code txId}. */
  CompletionStage<?> cast(int nodeId, String txId, long value);
}
