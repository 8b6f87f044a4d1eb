package io.mtlsvoting.node.cli;

import io.mtlsvoting.node.Main;
import io.mtlsvoting.node.control.ActivityLog;
import io.mtlsvoting.node.control.ControlService;
import io.mtlsvoting.node.runtime.TestCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import picocli.CommandLine;

/**
 * A {@link TestCluster} whose nodes serve the control protocol as {@code run} does, and a way to
 * run the CLI in-process against it with the test certificates, capturing its output and exit code.
 */
final class CliCluster implements AutoCloseable {
  /** One CLI invocation's outcome. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  final Path certs;
  final TestCluster cluster;
  final String nodes;

  CliCluster(
      Path certs, String dbUrl, int n, int t, Set<Integer> byzantine, Map<String, Object> extra)
      throws Exception {
    this.certs = certs;
    TestCluster.generateCerts(certs, n);
    this.cluster = new TestCluster(certs, dbUrl, n, t, byzantine);
    extra.forEach(cluster::with);
    Map<Integer, ActivityLog> logs = new TreeMap<>();
    for (int id = 1; id <= n; id++) {
      logs.put(id, new ActivityLog(id));
    }
    cluster.startAll(id -> List.of(logs.get(id)));
    for (int id = 1; id <= n; id++) {
      cluster
          .node(id)
          .serveClients(ControlService.handler(cluster.node(id).context(), logs.get(id)));
    }
    cluster.awaitMesh();
    StringJoiner list = new StringJoiner(",");
    for (int id = 1; id <= n; id++) {
      list.add(id + "@" + cluster.config(id).getString("mtls-voting.listen-address"));
    }
    this.nodes = list.toString();
  }

  /** Runs {@code mtls-voting COMMAND ARGS...} with the cluster's --nodes and the client certs. */
  Result cli(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(
        List.of(
            "--nodes",
            nodes,
            "--cert",
            certs.resolve("client.crt").toString(),
            "--key",
            certs.resolve("client.key").toString(),
            "--ca",
            certs.resolve("ca.crt").toString()));
    return raw(all.toArray(new String[0]));
  }

  /** Runs the CLI with exactly {@code args}. */
  static Result raw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Override
  public void close() {
    cluster.close();
  }
}
