package io.mtlsvoting.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the shaded {@code mtls-voting.jar} as an operator would: it must start on its own. */
class JarStartsIT {

  private static final Path JAR = Path.of("target", "mtls-voting.jar");

  private static Result run(String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    boolean done = p.waitFor(2, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(done ? p.exitValue() : -1, out);
  }

  private record Result(int exitCode, String output) {}

  @Test
  void shadedJarPrintsHelp() throws Exception {
    assertTrue(Files.isRegularFile(JAR), "the package phase must build " + JAR.toAbsolutePath());
    Result r = run("--help");
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("Usage: mtls-voting"), r.output());
  }

  @Test
  void shadedJarMergesPekkoReferenceConf() throws Exception {
    // Each Pekko module ships a reference.conf; an overwriting shade would lose all but one.
    try (var jar = new java.util.jar.JarFile(JAR.toFile())) {
      String conf =
          new String(
              jar.getInputStream(jar.getEntry("reference.conf")).readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(conf.contains("pekko.actor") || conf.contains("actor {"), "pekko-actor part");
      assertTrue(conf.contains("stream"), "pekko-stream part");
      assertTrue(conf.contains("persistence"), "pekko-persistence part");
    }
  }

  @Test
  void nodeConfigInsideTheJarSelectsTheProjectsJournalPlugin() throws Exception {
    // In the shaded jar all reference.conf files are concatenated; the node's own settings must
    // still win over Pekko's empty journal-plugin default.
    Path conf = Path.of("..", "application.conf");
    Result r = run("run", "--config", conf.toString(), "--print-config");
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("\"mtls-voting.persistence.journal\""), r.output());
    assertTrue(r.output().contains("\"mtls-voting.persistence.snapshot\""), r.output());
  }

  @Test
  void unknownCommandFailsWithNonZeroExit() throws Exception {
    Result r = run("no-such-command");
    assertTrue(r.exitCode() != 0, r.output());
    assertTrue(r.output().contains("no-such-command"), r.output());
  }
}
