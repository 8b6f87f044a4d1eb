package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.VoteTally;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a PostgreSQL URL a node starts its own embedded PostgreSQL, durable in the configured
 * data directory: what it journaled is still there after a restart.
 */
class EmbeddedDatabaseDefaultTest {
  @TempDir Path certs;
  @TempDir Path data;

  @Test
  void aNodeWithoutPostgresUrlUsesAnEmbeddedServerThatSurvivesRestarts() throws Exception {
    TestCluster.generateCerts(certs, 3);
    Path pgDir = data.resolve("postgres");
    try (TestCluster cluster =
        new TestCluster(certs, "", 3, 2, Set.of())
            .with("mtls-voting.persistence.embedded.data-directory", pgDir.toString())) {
      NodeRuntime first = cluster.start(1);
      assertTrue(
          first.databaseUrl().startsWith("jdbc:postgresql://127.0.0.1:"), first.databaseUrl());
      assertTrue(Files.isDirectory(pgDir.resolve("base")), "cluster initialised in " + pgDir);
      var cast = first.context().caster().castVote("embedded-1", 11L).toCompletableFuture().join();
      assertInstanceOf(VoteTally.CastAccepted.class, cast);
      cluster.stop(1);

      NodeRuntime second = cluster.start(1);
      TallyState s = second.context().caster().status("embedded-1").toCompletableFuture().join();
      assertEquals(Phase.COLLECTING, s.phase(), s.toString());
      assertEquals(11L, s.votes().get(1).value(), "the journaled vote came back");
    }
  }
}
