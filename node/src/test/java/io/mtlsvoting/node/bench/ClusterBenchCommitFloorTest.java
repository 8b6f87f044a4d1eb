package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When the bench measures the database's commit floor and how it reports it (pure logic: a driver
 * that decides every cast at once and answers the floor from a script).
 */
class ClusterBenchCommitFloorTest {

  private static final CommitFloor.Result DURABLE =
      new CommitFloor.Result(
          200, new LatencyHistogram.Summary(200, 1.1, 1.5, 3.2, 4.0), "on", "on");

  /** Decides each cast at once; its floor is {@code floor}, or fails with {@code failure}. */
  private static final class FloorDriver extends InstantDriver {
    private final boolean inThisJvm;
    private final CommitFloor.Result floor;
    private final SQLException failure;
    private int asked;

    FloorDriver(
        BenchRecorder recorder, boolean inThisJvm, CommitFloor.Result floor, SQLException failure) {
      super(recorder);
      this.inThisJvm = inThisJvm;
      this.floor = floor;
      this.failure = failure;
    }

    @Override
    public boolean nodesInThisJvm() {
      return inThisJvm;
    }

    @Override
    public Optional<CommitFloor.Result> commitFloor(int commits) throws SQLException {
      asked++;
      assertEquals(ClusterBench.FLOOR_COMMITS, commits);
      if (failure != null) {
        throw failure;
      }
      return Optional.of(floor);
    }
  }

  private static BenchReport run(FloorDriver driver, BenchRecorder recorder, boolean floor)
      throws InterruptedException {
    BenchOptions options =
        new BenchOptions(
            4,
            0,
            2,
            "floor-",
            false,
            Duration.ofMillis(100),
            floor,
            Optional.empty(),
            BenchOptions.MemoryCheck.OFF,
            Duration.ofSeconds(30),
            null,
            0,
            0);
    return new ClusterBench(driver, recorder, options).run();
  }

  @Test
  void aMeasuredFloorIsPrintedWithTheCommitsADecisionWaitsFor() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    FloorDriver driver = new FloorDriver(recorder, true, DURABLE, null);
    BenchReport report = run(driver, recorder, true);
    assertEquals(1, driver.asked);
    assertEquals(4, report.decidedTxs(), report.toText());
    String text = report.toText();
    assertTrue(
        text.contains(
            "floor: one database commit (one row) p50 1.10 ms, p90 1.50, p99 3.20, max 4.00 ms"
                + " over 200 commits before the load (fsync on, synchronous_commit on); a node's"
                + " decision waits for 2 (its own vote, the decision)"),
        text);
    JsonNode json = new ObjectMapper().readTree(report.toJson()).get("commitFloor");
    assertEquals(200, json.get("commits").asInt(), json.toString());
    assertEquals(1.1, json.get("latency").get("p50Ms").asDouble(), json.toString());
    assertEquals("on", json.get("fsync").asText(), json.toString());
  }

  @Test
  void aDatabaseThatDoesNotWaitForTheDiskIsSaidToBeNotDurable() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    CommitFloor.Result fast = new CommitFloor.Result(200, DURABLE.latency(), "off", "on");
    BenchReport report = run(new FloorDriver(recorder, true, fast, null), recorder, true);
    assertTrue(
        report
            .toText()
            .contains("(fsync off, synchronous_commit on: not durable, the floor of a durable"),
        report.toText());
  }

  @Test
  void aDatabaseThatRefusesCostsTheFloorNotTheRun() throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    FloorDriver driver =
        new FloorDriver(
            recorder, true, null, new SQLException("permission denied for schema public"));
    BenchReport report = run(driver, recorder, true);
    assertEquals(4, report.decidedTxs(), report.toText());
    assertNull(report.commitFloor());
    assertTrue(
        report
            .notes()
            .contains(
                "the database's commit floor was not measured: permission denied for schema"
                    + " public"),
        report.toText());
    assertFalse(report.toText().contains("floor: one database commit"), report.toText());
  }

  /** Runs with the floor {@code on} or off, nodes in this JVM or not: the database not asked. */
  private static void assertNotAsked(boolean inThisJvm, boolean on) throws Exception {
    BenchRecorder recorder = new BenchRecorder(List.of(1, 2, 3));
    FloorDriver driver = new FloorDriver(recorder, inThisJvm, DURABLE, null);
    BenchReport report = run(driver, recorder, on);
    assertEquals(0, driver.asked);
    assertNull(report.commitFloor());
    assertFalse(report.toText().contains("floor:"), report.toText());
  }

  @Test
  void switchedOffTheDatabaseIsNotAsked() throws Exception {
    assertNotAsked(true, false);
  }

  @Test
  void nodesInOtherJvmsAreNotAskedForTheirDatabase() throws Exception {
    assertNotAsked(false, true);
  }
}
