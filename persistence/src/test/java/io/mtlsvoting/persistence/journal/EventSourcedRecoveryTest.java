package io.mtlsvoting.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end: a typed EventSourcedBehavior persists through the plugins loaded from config, the
 * actor system stops, and a new actor system on the same database recovers the state.
 */
class EventSourcedRecoveryTest {

  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @Test
  void stateSurvivesAnActorSystemRestart() {
    Config config = JournalTestConfig.of(postgres);
    String pid = "node-3|tx-abc";
    List<String> values = List.of("a", "b", "c", "d", "e");

    ActorTestKit first = ActorTestKit.create("first", config);
    try {
      ActorRef<TestCounter.Command> counter = first.spawn(TestCounter.create(pid));
      TestProbe<Done> done = first.createTestProbe();
      for (String v : values) {
        counter.tell(new TestCounter.Add(v, done.getRef()));
        done.expectMessage(Done.done());
      }
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("second", config);
    try {
      ActorRef<TestCounter.Command> counter = second.spawn(TestCounter.create(pid));
      TestProbe<TestCounter.State> state = second.createTestProbe();
      counter.tell(new TestCounter.Get(state.getRef()));
      assertEquals(values, state.receiveMessage().values());

      // Recovery started from the snapshot at 3 and replayed the events after it.
      postgres.execute("SELECT 1");
      assertTrue(snapshotCount(pid) >= 1);
    } finally {
      second.shutdownTestKit();
    }
  }

  private static int snapshotCount(String pid) {
    try (var c = postgres.dataSource().getConnection();
        var ps = c.prepareStatement("SELECT count(*) FROM snapshot WHERE persistence_id = ?")) {
      ps.setString(1, pid);
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
