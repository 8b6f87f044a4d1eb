package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.config.ConfigProblem;
import io.mtlsvoting.protocol.Quorum;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The operator's application.conf at the repository root loads, and bad files are refused. */
class OperatorConfigTest {

  @Test
  void rootApplicationConfLoadsAsFiveNodesWithThresholdFour() {
    Config c = NodeConfig.load(Optional.of(TestCluster.repoRoot().resolve("application.conf")));
    // TLS files are relative to the repository root, where operators run the node.
    assertEquals("certs/node1.crt", c.getString("mtls-voting.tls.node-cert"));
    assertEquals(5, c.getConfigList("mtls-voting.members").size());
    Quorum q = new Quorum(c.getInt("mtls-voting.total-nodes"), c.getInt("mtls-voting.threshold"));
    assertEquals(4, q.t());
    assertEquals(2, q.safetyTolerance());
    assertEquals(1, q.livenessTolerance());
    assertEquals("", c.getString("mtls-voting.persistence.db.url"), "embedded PostgreSQL default");
  }

  @Test
  void missingConfigFileIsAClearError() {
    ConfigProblem e =
        assertThrows(
            ConfigProblem.class, () -> NodeConfig.load(Optional.of(Path.of("no/such/file.conf"))));
    assertTrue(e.getMessage().contains("no/such/file.conf"), e.getMessage());
  }

  @Test
  void environmentStyleOverridesBeatTheOperatorFile() {
    // NodeConfig layers system properties and environment above the operator's file.
    Config operator = ConfigFactory.parseString("mtls-voting.threshold = 3");
    System.setProperty("mtls-voting.threshold", "4");
    try {
      assertEquals(4, NodeConfig.withEnvironment(operator).getInt("mtls-voting.threshold"));
    } finally {
      System.clearProperty("mtls-voting.threshold");
    }
    assertEquals(3, NodeConfig.withEnvironment(operator).getInt("mtls-voting.threshold"));
  }
}
