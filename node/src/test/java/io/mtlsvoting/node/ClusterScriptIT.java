package io.mtlsvoting.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator does first: {@code scripts/cluster.sh up} (5 nodes, etcd, embedded PostgreSQL),
 * one vote through {@code scripts/mtls-voting}, {@code scripts/cluster.sh demo} with an etcd full
 * of consensus keys, {@code scripts/cluster.sh down}; and nothing the script started is left
 * running.
 */
class ClusterScriptIT {
  @TempDir Path run;
  @TempDir Path certs;

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  private record Result(int exitCode, String output) {}

  private Result sh(Map<String, String> env, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + List.of(cmd) + "\n" + out);
    }
    return new Result(p.exitValue(), out);
  }

  /** A base port with {@code count} free ports after it. */
  private static int freeRange(int count) throws IOException {
    for (int base = 20000 + (int) (ProcessHandle.current().pid() % 20000); ; base += count + 7) {
      boolean free = true;
      List<ServerSocket> held = new ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          held.add(new ServerSocket(base + i));
        }
      } catch (IOException e) {
        free = false;
      } finally {
        for (ServerSocket s : held) {
          s.close();
        }
      }
      if (free) {
        return base;
      }
    }
  }

  @Test
  void upVoteDownLeavesNothingRunning() throws Exception {
    int base = freeRange(9);
    Map<String, String> env = new HashMap<>();
    env.put("RUN_DIR", run.toString());
    env.put("CERTS_DIR", certs.toString());
    env.put("BASE_PORT", Integer.toString(base));
    env.put("ETCD_PORT", Integer.toString(base + 5));
    env.put("ETCD_PEER_PORT", Integer.toString(base + 6));
    env.put("PG_PORT", Integer.toString(base + 7));
    try {
      Result up = sh(env, "bash", "scripts/cluster.sh", "up");
      assertEquals(0, up.exitCode(), up.output());
      assertTrue(up.output().contains("cluster up"), up.output());
      // Nodes start through scripts/mtls-voting, which execs java: the pid `down` stops is the JVM.
      for (int i = 1; i <= 5; i++) {
        long pid = Long.parseLong(Files.readString(run.resolve("node-" + i + ".pid")).trim());
        String cmd = ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("");
        assertTrue(
            cmd.contains("mtls-voting.jar") && cmd.contains(" run "), "node " + i + ": " + cmd);
      }

      StringBuilder nodes = new StringBuilder();
      for (int i = 1; i <= 5; i++) {
        nodes.append(i == 1 ? "" : ",").append(i).append("@127.0.0.1:").append(base + i - 1);
      }
      Map<String, String> cli = new HashMap<>(env);
      cli.put("MTLS_NODES", nodes.toString());
      cli.put("CA_CERT_PATH", certs.resolve("ca.crt").toString());
      cli.put("CLIENT_CERT_PATH", certs.resolve("client.crt").toString());
      cli.put("CLIENT_KEY_PATH", certs.resolve("client.key").toString());
      Result vote =
          sh(cli, "bash", "scripts/mtls-voting", "vote", "--tx-id", "script-1", "--value", "7");
      assertEquals(0, vote.exitCode(), vote.output());
      assertTrue(vote.output().contains("accepted"), vote.output());

      // A bench leaves one consensus key per tx in etcd; the demo must still run to its end. It
      // once piped etcd's whole key list into `head`, which failed the script under pipefail as
      // soon as the list outgrew the pipe's buffer (64 KiB): 3,000 keys are ~140 KB.
      seedConsensusKeys(base + 5, 3000);
      Result demo = sh(env, "bash", "scripts/cluster.sh", "demo");
      assertEquals(0, demo.exitCode(), demo.output());
      assertTrue(demo.output().contains("4. what etcd holds"), demo.output());
      Matcher qcs = Pattern.compile("/consensus/: (\\d+) QCs").matcher(demo.output());
      assertTrue(qcs.find(), demo.output());
      assertTrue(Integer.parseInt(qcs.group(1)) >= 3000, demo.output());
      assertTrue(demo.output().contains("5. peers as node 1 sees them"), demo.output());
      assertTrue(demo.output().contains("The cluster keeps running"), demo.output());
    } finally {
      List<Long> pids = pids();
      Result down = sh(env, "bash", "scripts/cluster.sh", "down");
      assertEquals(0, down.exitCode(), down.output());
      assertFalse(pids.isEmpty(), "up wrote pid files");
      for (long pid : pids) {
        assertFalse(
            ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
            "process " + pid + " still running after down");
      }
      try (Stream<Path> left = Files.list(run)) {
        assertTrue(left.noneMatch(p -> p.toString().endsWith(".pid")), "pid files removed");
      }
    }
  }

  /**
   * Puts {@code count} consensus keys into the script's etcd, as a bench of that many txs would.
   */
  private static void seedConsensusKeys(int etcdPort, int count) throws Exception {
    try (Client etcd = Client.builder().endpoints("http://127.0.0.1:" + etcdPort).build()) {
      List<CompletableFuture<?>> puts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        puts.add(
            etcd.getKVClient()
                .put(
                    ByteSequence.from(
                        "/mtls-voting/mtls-voting/consensus/seeded-" + i, StandardCharsets.UTF_8),
                    ByteSequence.from("{}", StandardCharsets.UTF_8)));
      }
      CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
    }
  }

  private List<Long> pids() throws IOException {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(run)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
        out.add(Long.parseLong(Files.readString(f).trim()));
      }
    }
    return out;
  }
}
