package io.mtlsvoting.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs the shaded {@code mtls-voting.jar} as an operator would: it must start on its own. */
class JarStartsIT {

  private static final Path JAR = Path.of("target", "mtls-voting.jar");

  private static Result run(String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    return exec(new ProcessBuilder(cmd));
  }

  /** {@code scripts/mtls-voting} with {@code args} and the given JAVA_OPTS. */
  private static Result launcher(String javaOpts, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", "../scripts/mtls-voting"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("JAVA_OPTS", javaOpts);
    return exec(pb);
  }

  /** Runs {@code pb} to its end (at most 2 minutes), reading its output as it comes. */
  private static Result exec(ProcessBuilder pb) throws IOException, InterruptedException {
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    boolean done = p.waitFor(2, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    return new Result(done ? p.exitValue() : -1, out);
  }

  private record Result(int exitCode, String output) {}

  /** The JVM's CICompilerCount as -XX:+PrintFlagsFinal printed it. */
  private static int compilerCount(String flagsOutput) {
    Matcher m = Pattern.compile("\\bCICompilerCount\\s+=\\s+(\\d+)").matcher(flagsOutput);
    assertTrue(m.find(), flagsOutput);
    return Integer.parseInt(m.group(1));
  }

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
  void theLauncherGivesTheJitAtLeastFourCompilerThreadsUnlessJavaOptsChooses() throws Exception {
    // On few cores the JVM's default (2) falls behind a busy node; the launcher asks for 4 there
    // (more cores get at least as many by default).
    Result r = launcher("-XX:+PrintFlagsFinal", "--version");
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("mtls-voting"), r.output());
    assertTrue(compilerCount(r.output()) >= 4, r.output());
    // An operator's own choice wins.
    Result own = launcher("-XX:CICompilerCount=2 -XX:+PrintFlagsFinal", "--version");
    assertEquals(0, own.exitCode(), own.output());
    assertEquals(2, compilerCount(own.output()));
  }

  @Test
  void unknownCommandFailsWithNonZeroExit() throws Exception {
    Result r = run("no-such-command");
    assertTrue(r.exitCode() != 0, r.output());
    assertTrue(r.output().contains("no-such-command"), r.output());
  }
}
