package io.mtlsvoting.node;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An in-process bench stopped by a signal (Ctrl-C, kill) while its load runs removes its nodes'
 * data directory, embedded database included, instead of leaving it in the temp directory.
 */
class BenchInterruptIT {

  private static final Path JAR = Path.of("target", "mtls-voting.jar");
  private static final Pattern DATA_DIR = Pattern.compile("database in (\\S+) \\(removed");

  @Test
  void anInterruptedInProcessBenchRemovesItsData() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    java,
                    "-jar",
                    JAR.toString(),
                    "bench",
                    "--in-process",
                    "--nodes",
                    "3",
                    "--threshold",
                    "2",
                    "--txs",
                    "1000000",
                    "--no-ceiling",
                    "--no-baseline"))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    StringBuilder out = new StringBuilder();
    Path dir = null;
    boolean loadRunning = false;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (!loadRunning && (line = r.readLine()) != null) {
        out.append(line).append('\n');
        Matcher m = DATA_DIR.matcher(line);
        if (m.find()) {
          dir = Path.of(m.group(1));
        }
        // The first progress line: the nodes and their database are up and deciding.
        loadRunning = line.startsWith("[") && line.contains("decided");
      }
      assertNotNull(dir, out.toString());
      assertTrue(loadRunning, out.toString());
      assertTrue(Files.isDirectory(dir), "data directory while running: " + dir);

      // SIGTERM, as kill or a stopping service manager sends (Process.destroy would also close
      // the output this test still reads).
      new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).inheritIO().start().waitFor();
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
      }
    } finally {
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
    }
    assertFalse(Files.exists(dir), "left behind: " + dir + "\n" + out);
  }
}
