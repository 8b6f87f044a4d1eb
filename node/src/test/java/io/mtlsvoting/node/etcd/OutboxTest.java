package io.mtlsvoting.node.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The etcd writer's running outbox: order, removal, snapshots, and events at a constant cost. */
class OutboxTest {

  private static OutboxEvent.CommitQueued queued(int i) {
    return new OutboxEvent.CommitQueued("tx-" + i, "{\"value\":" + i + "}", i);
  }

  private static OutboxEvent.CommitDone done(int i) {
    return new OutboxEvent.CommitDone("tx-" + i, OutboxEvent.Result.COMMITTED);
  }

  @Test
  void keepsPendingCommitsOldestFirstAndDropsDoneOnes() {
    Outbox outbox = Outbox.empty();
    for (int i = 0; i < 5; i++) {
      assertSame(outbox, outbox.apply(queued(i)));
    }
    outbox.apply(done(0)).apply(done(3)).apply(done(42));

    assertEquals(
        List.of("tx-1", "tx-2", "tx-4"),
        outbox.inOrder().stream().map(OutboxState.Pending::txId).toList());
    assertEquals(3, outbox.size());
    assertTrue(outbox.contains("tx-2"));
    assertFalse(outbox.contains("tx-3"));
    assertNull(outbox.get("tx-0"));
    assertEquals(new OutboxState.Pending("tx-4", "{\"value\":4}", 4), outbox.get("tx-4"));
  }

  @Test
  void aSnapshotIsAnImmutableCopyThatRestoresTheSameOutbox() {
    Outbox outbox = Outbox.empty();
    for (int i = 0; i < 4; i++) {
      outbox.apply(queued(i));
    }
    OutboxState snapshot = outbox.snapshot();

    // Later events do not reach the snapshot the store may still be serializing.
    outbox.apply(done(1)).apply(queued(9));
    assertEquals(List.of("tx-0", "tx-1", "tx-2", "tx-3"), List.copyOf(snapshot.pending().keySet()));

    Outbox restored = Outbox.of(snapshot);
    assertEquals(List.copyOf(snapshot.pending().values()), List.copyOf(restored.inOrder()));
    restored.apply(done(0));
    assertEquals(4, snapshot.pending().size());
  }

  /**
   * During an etcd outage one commit per decided tx waits in the outbox; each event must cost the
   * same however many wait (the outbox was copied on every event: quadratic in the outage, and a
   * 100,000-entry copy per decided tx). Measured in bytes allocated, not time.
   */
  @Test
  void anEventDoesNotCopyTheWaitingCommits() {
    Outbox outbox = Outbox.empty();
    int waiting = 100_000;
    for (int i = 0; i < waiting; i++) {
      outbox.apply(queued(i));
    }
    List<OutboxEvent> more = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      more.add(queued(waiting + i));
      more.add(done(i));
    }

    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    for (OutboxEvent e : more) {
      outbox.apply(e);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;

    assertEquals(waiting, outbox.size());
    // 2,000 events: a map entry and a Pending each (~100 bytes); one copy of the map is ~5 MB.
    assertTrue(allocated < 2_000_000, "2,000 events allocated " + allocated + " bytes");
  }
}
