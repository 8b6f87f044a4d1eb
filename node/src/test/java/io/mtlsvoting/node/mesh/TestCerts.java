package io.mtlsvoting.node.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the project's scripts/generate-certs.sh into a directory. */
public final class TestCerts {
  private TestCerts() {}

  /** The repository root: system property project.rootdir, else walk up from user.dir. */
  public static Path repoRoot() {
    String prop = System.getProperty("project.rootdir");
    if (prop != null && Files.exists(Path.of(prop, "scripts", "generate-certs.sh"))) {
      return Path.of(prop);
    }
    for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        p != null;
        p = p.getParent()) {
      if (Files.exists(p.resolve("scripts/generate-certs.sh"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find scripts/generate-certs.sh");
  }

  /** Runs the script with {@code --out dir} and {@code args}; fails on a non-zero exit. */
  public static Path run(Path dir, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "bash",
                repoRoot().resolve("scripts/generate-certs.sh").toString(),
                "--out",
                dir.toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("generate-certs.sh failed: " + new String(out));
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A fresh directory with a CA and {@code nodes} node certificates plus a client certificate,
   * deleted when the test JVM exits (the classes using it share it across their tests).
   */
  public static Path generate(int nodes) {
    try {
      Path dir = Files.createTempDirectory("mtls-certs");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "delete-" + dir));
      return run(dir, "--nodes", String.valueOf(nodes));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes {@code dir} and everything under it, as far as it can (best effort, at exit). */
  static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }
}
