package io.mtlsvoting.node.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A bench cluster that cannot get its certificates fails with the reason and leaves no files. */
class InProcessClusterCleanupTest {

  private static Set<Path> benchDirectories() throws IOException {
    try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return all.filter(p -> p.getFileName().toString().startsWith("mtls-voting-bench-"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void failedCertificateGenerationRemovesItsTemporaryDirectory() throws Exception {
    Set<Path> before = benchDirectories();
    // generate-certs.sh refuses 0 nodes, after the temporary directory was made.
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                InProcessCluster.start(
                    0, 1, Optional.empty(), Optional.empty(), Set.of(), id -> List.of(), Map.of()));
    assertTrue(e.getMessage().contains("generate-certs.sh failed"), e.getMessage());
    Set<Path> left = benchDirectories();
    left.removeAll(before);
    assertEquals(Set.of(), left, "directories left behind");
  }
}
