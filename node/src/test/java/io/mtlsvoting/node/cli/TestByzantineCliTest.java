package io.mtlsvoting.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mtlsvoting.persistence.db.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code test-byzantine} of each type from node 5 (byzantine-testing = on) against four honest
 * nodes: the CLI reports each peer's detection, and every peer's row lands in {@code
 * byzantine_violations} with evidence.
 */
class TestByzantineCliTest {
  @RegisterExtension static final PostgresExtension postgres = new PostgresExtension();

  @TempDir static Path certs;
  static CliCluster cli;
  static final ObjectMapper JSON = new ObjectMapper();
  static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void start() throws Exception {
    cli =
        new CliCluster(
            certs, postgres.jdbcUrl(), 5, 4, Set.of(5), Map.of("mtls-voting.vote-timeout", "3s"));
  }

  @AfterAll
  static void stop() {
    if (cli != null) {
      cli.close();
    }
  }

  /** Earlier attacks may have banned node 5, and a banned node's votes are ignored. */
  @BeforeEach
  void liftBans() {
    CliCluster.Result r = cli.cli("unban", "--node", "5");
    assertEquals(0, r.exit(), r.toString());
  }

  @Test
  void doubleVote() throws Exception {
    attack("double-vote", "DOUBLE_VOTING", "byz-cli-double");
    awaitBannedEverywhere();
  }

  @Test
  void minorityAttack() throws Exception {
    attack("minority-attack", "MINORITY_VOTE", "byz-cli-minority");
  }

  @Test
  void invalidSignature() throws Exception {
    attack("invalid-signature", "INVALID_SIGNATURE", "byz-cli-badsig");
    awaitBannedEverywhere();
  }

  @Test
  void silent() throws Exception {
    CliCluster.Result r = attack("silent", "SILENT_FAILURE", "byz-cli-silent");
    assertTrue(r.out().contains("waiting for the vote-timeout (3s"), r.out());
  }

  private CliCluster.Result attack(String type, String violation, String tx) throws Exception {
    CliCluster.Result r =
        cli.cli("test-byzantine", "--test-type", type, "--node", "5", "--tx-id", tx);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("attack on tx " + tx + ": node 5 "), r.out());
    for (int id = 1; id <= 4; id++) {
      assertTrue(
          r.out().contains("node " + id + " detected " + violation + ": "),
          "node " + id + ": " + r);
    }
    if (!violation.equals("SILENT_FAILURE")) {
      assertTrue(r.out().contains("evidence: vote of node 5"), r.out());
    }
    Map<Integer, String> rows = awaitAuditRows(tx, violation);
    rows.forEach(
        (observer, evidence) -> assertTrue(evidence.length() > 2, observer + ": " + evidence));
    return r;
  }

  /** The audit projection runs asynchronously: polls until all four observers' rows are there. */
  private static Map<Integer, String> awaitAuditRows(String tx, String violation)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      Map<Integer, String> rows = new TreeMap<>();
      try (Connection c = postgres.dataSource().getConnection();
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT observed_by, evidence::text FROM byzantine_violations"
                      + " WHERE tx_id = ? AND node_id = 5 AND violation_type = ?")) {
        s.setString(1, tx);
        s.setString(2, violation);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            rows.put(rs.getInt(1), rs.getString(2));
          }
        }
      }
      // Node 5's own tally may record its misdeed as well (it never punishes itself).
      if (rows.keySet().containsAll(Set.of(1, 2, 3, 4))) {
        return rows;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("byzantine_violations rows for " + tx + ": " + rows);
      }
      Thread.sleep(100);
    }
  }

  /** The ban follows the violation; waiting for it keeps the next test's unban effective. */
  private static void awaitBannedEverywhere() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (int id = 1; id <= 4; id++) {
      while (true) {
        CliCluster.Result r = cli.cli("peers", "--node", Integer.toString(id), "--json");
        boolean banned = false;
        for (JsonNode p : JSON.readTree(r.out()).get("peers")) {
          if (p.get("nodeId").asInt() == 5 && p.get("banned").asBoolean()) {
            banned = true;
          }
        }
        if (banned) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("node " + id + " never banned node 5: " + r);
        }
        Thread.sleep(100);
      }
    }
  }
}
