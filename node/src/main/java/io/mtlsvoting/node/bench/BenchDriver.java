package io.mtlsvoting.node.bench;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;

/**
 * What {@link ClusterBench} drives: casting one member's vote for a tx, or making a member
 * double-vote. Decisions are observed through the {@link BenchRecorder}: in-process nodes report
 * their tally events to it, a remote driver reports what the nodes answer.
 */
public interface BenchDriver {
  /** "in-process" or where the remote cluster is, for the report. */
  String describe();

  /** The member ids, ascending. */
  List<Integer> members();

  /** The threshold t. */
  int threshold();

  /** True when decisions are committed through etcd (COMMITTED events are expected). */
  boolean commits();

  /** Casts node {@code nodeId}'s vote of {@code value} for {@code txId}. */
  CompletionStage<?> cast(int nodeId, String txId, long value);

  /**
   * Makes node {@code nodeId} (running with byzantine-testing = on) sign two values for {@code
   * txId} and send one to some peers, the other to the rest, as {@code test-byzantine --test-type
   * double-vote} does; fails when the node refuses.
   */
  CompletionStage<?> doubleVote(int nodeId, String txId, long value);

  /**
   * The nodes' counters summed over the members (a remote driver reads them with {@code info}),
   * from which the bench takes vote propagation when it cannot observe votes itself; empty when not
   * available.
   */
  default Map<String, Long> nodeCounters() {
    return Map.of();
  }

  /** False when votes arriving at the nodes cannot be observed (no vote propagation figures). */
  default boolean observesVotes() {
    return true;
  }

  /**
   * Tallies held in memory now (not passivated), summed over the nodes, when the driver can see
   * them; the memory check prints it beside the heap.
   */
  default OptionalLong liveTallies() {
    return OptionalLong.empty();
  }

  /**
   * True when the nodes run in this JVM, so this JVM's JIT compile time is theirs (the report says
   * how much of the measured run the JIT was still compiling).
   */
  default boolean nodesInThisJvm() {
    return false;
  }

  /**
   * Measures {@link CommitFloor} on the nodes' database with {@code commits} commits; empty when
   * this driver cannot reach that database (the nodes run elsewhere).
   *
   * @throws SQLException when the database refuses
   */
  default Optional<CommitFloor.Result> commitFloor(int commits) throws SQLException {
    return Optional.empty();
  }

  /** How this driver's figures differ from the in-process ones, for the report. */
  default List<String> notes() {
    return List.of();
  }

  /**
   * After the run: makes sure the honest nodes' DOUBLE_VOTING detections on {@code attackedTxs}
   * reached the recorder, waiting at most {@code wait} for the first. In-process nodes report them
   * as they happen; a remote driver asks the nodes.
   */
  default void collectDetections(
      List<String> attackedTxs, int offender, BenchRecorder recorder, Duration wait)
      throws InterruptedException {}
}
