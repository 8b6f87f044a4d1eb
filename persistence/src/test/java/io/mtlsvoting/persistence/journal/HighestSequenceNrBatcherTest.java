package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Batching rules of {@link HighestSequenceNrBatcher} with a scripted lookup and an executor the
 * test runs by hand, so which request lands in which query is decided by the test, not by timing.
 */
class HighestSequenceNrBatcherTest {

  /** Answers {@code id.length()} for every id, records each query, and can act or fail inside. */
  private static final class ScriptedLookup implements HighestSequenceNrBatcher.Lookup {
    final List<List<String>> queries = new ArrayList<>();
    Consumer<List<String>> during = ids -> {};
    SQLException failWith;

    @Override
    public Map<String, Long> highest(List<String> ids) throws SQLException {
      queries.add(List.copyOf(ids));
      during.accept(ids);
      if (failWith != null) {
        SQLException e = failWith;
        failWith = null;
        throw e;
      }
      Map<String, Long> answers = new HashMap<>();
      ids.forEach(id -> answers.put(id, (long) id.length()));
      return answers;
    }
  }

  private final ManualExecutor executor = new ManualExecutor();
  private final ScriptedLookup lookup = new ScriptedLookup();

  @Test
  void requestsQueuedWhileAQueryRunsShareTheNextQuery() throws Exception {
    HighestSequenceNrBatcher batcher = new HighestSequenceNrBatcher(lookup, executor, 500, 1);
    List<CompletableFuture<Long>> later = new ArrayList<>();
    lookup.during =
        ids -> {
          if (ids.contains("a")) {
            later.addAll(List.of(batcher.highest("bb"), batcher.highest("ccc")));
          }
        };

    CompletableFuture<Long> first = batcher.highest("a");
    executor.runAll();

    assertEquals(List.of(List.of("a"), List.of("bb", "ccc")), lookup.queries);
    assertEquals(1L, first.get());
    assertEquals(2L, later.get(0).get());
    assertEquals(3L, later.get(1).get());
  }

  @Test
  void aFailedQueryFailsExactlyItsOwnRequests() throws Exception {
    HighestSequenceNrBatcher batcher = new HighestSequenceNrBatcher(lookup, executor, 500, 1);
    SQLException boom = new SQLException("boom");
    List<CompletableFuture<Long>> queuedDuringFailure = new ArrayList<>();
    lookup.failWith = boom;
    lookup.during =
        ids -> {
          if (ids.contains("a")) {
            queuedDuringFailure.add(batcher.highest("cc"));
          }
        };

    CompletableFuture<Long> a = batcher.highest("a");
    CompletableFuture<Long> b = batcher.highest("bb");
    executor.runAll();

    assertEquals(List.of(List.of("a", "bb"), List.of("cc")), lookup.queries);
    assertSame(boom, assertThrows(ExecutionException.class, a::get).getCause());
    assertSame(boom, assertThrows(ExecutionException.class, b::get).getCause());
    assertEquals(2L, queuedDuringFailure.get(0).get());
    // The batcher keeps working after a failure.
    CompletableFuture<Long> after = batcher.highest("dddd");
    executor.runAll();
    assertEquals(4L, after.get());
  }

  @Test
  void aQueryCarriesAtMostMaxIdsAndOneTaskRunsOneQuery() throws Exception {
    HighestSequenceNrBatcher batcher = new HighestSequenceNrBatcher(lookup, executor, 2, 1);
    List<CompletableFuture<Long>> all = new ArrayList<>();
    for (String id : List.of("a", "bb", "ccc", "dddd", "eeeee")) {
      all.add(batcher.highest(id));
    }
    assertEquals(1, executor.tasks.size());

    executor.runNext();
    assertEquals(List.of(List.of("a", "bb")), lookup.queries);
    assertFalse(all.get(2).isDone());
    executor.runAll();

    assertEquals(
        List.of(List.of("a", "bb"), List.of("ccc", "dddd"), List.of("eeeee")), lookup.queries);
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i + 1L, all.get(i).get());
    }
  }

  @Test
  void atMostMaxInFlightQueriesAreStarted() throws Exception {
    HighestSequenceNrBatcher batcher = new HighestSequenceNrBatcher(lookup, executor, 500, 2);
    CompletableFuture<Long> a = batcher.highest("a");
    CompletableFuture<Long> b = batcher.highest("bb");
    CompletableFuture<Long> c = batcher.highest("ccc");
    assertEquals(2, executor.tasks.size());

    executor.runAll();

    // The first task found all three queued; the second found nothing to ask.
    assertEquals(List.of(List.of("a", "bb", "ccc")), lookup.queries);
    assertEquals(List.of(1L, 2L, 3L), List.of(a.get(), b.get(), c.get()));
  }

  @Test
  void aRepeatedIdIsAskedOnceAndAnsweredTwice() throws Exception {
    HighestSequenceNrBatcher batcher = new HighestSequenceNrBatcher(lookup, executor, 500, 1);
    CompletableFuture<Long> one = batcher.highest("same");
    CompletableFuture<Long> two = batcher.highest("same");
    executor.runAll();

    assertEquals(List.of(List.of("same")), lookup.queries);
    assertEquals(4L, one.get());
    assertEquals(4L, two.get());
  }

  @Test
  void anIdMissingFromTheAnswerFailsRatherThanReadingAsZero() {
    HighestSequenceNrBatcher batcher =
        new HighestSequenceNrBatcher(ids -> Map.of("known", 7L), executor, 500, 1);
    CompletableFuture<Long> known = batcher.highest("known");
    CompletableFuture<Long> missing = batcher.highest("missing");
    executor.runAll();

    assertEquals(7L, known.join());
    ExecutionException e = assertThrows(ExecutionException.class, missing::get);
    assertTrue(e.getCause() instanceof IllegalStateException);
  }

  @Test
  void aRejectingExecutorFailsTheQueuedRequests() {
    Executor rejecting =
        task -> {
          throw new RejectedExecutionException("shut down");
        };
    HighestSequenceNrBatcher batcher = new HighestSequenceNrBatcher(lookup, rejecting, 500, 1);

    CompletableFuture<Long> request = batcher.highest("a");

    ExecutionException e = assertThrows(ExecutionException.class, request::get);
    assertTrue(e.getCause() instanceof RejectedExecutionException);
    assertTrue(lookup.queries.isEmpty());
  }
}
