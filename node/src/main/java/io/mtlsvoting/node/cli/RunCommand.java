package io.mtlsvoting.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.mtlsvoting.node.config.ConfigProblem;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.control.ActivityLog;
import io.mtlsvoting.node.control.ControlService;
import io.mtlsvoting.node.runtime.NodeConfig;
import io.mtlsvoting.node.runtime.NodeRuntime;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code run}: starts a node and keeps it running until the process is stopped. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Start a node from application.conf (or --config FILE) with environment overrides:",
      "NODE_ID, LISTEN_ADDR, CA_CERT_PATH, NODE_CERT_PATH, NODE_KEY_PATH, BOOTSTRAP_PEERS,",
      "TOTAL_NODES, THRESHOLD, VOTE_TIMEOUT_SECS, CRL_PATH, POSTGRES_URL, ETCD_ENDPOINTS,",
      "ETCD_CONSENSUS_RETENTION.",
      "Without POSTGRES_URL the node starts an embedded PostgreSQL."
    })
public final class RunCommand implements Callable<Integer> {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Operator config file (HOCON); default: ./application.conf if present")
  Path config;

  @Option(
      names = "--print-config",
      description = "Print the resolved configuration (file, environment, defaults) and exit")
  boolean printConfig;

  @Override
  public Integer call() {
    NodeRuntime runtime;
    try {
      Config resolved = NodeConfig.load(Optional.ofNullable(config));
      if (printConfig) {
        ConfigRenderOptions render = ConfigRenderOptions.concise().setFormatted(true);
        System.out.println(
            "mtls-voting " + resolved.getConfig("mtls-voting").root().render(render));
        System.out.println(
            "pekko.persistence " + resolved.getConfig("pekko.persistence").root().render(render));
        return 0;
      }
      ActivityLog activity = new ActivityLog(NodeSettings.load(resolved).nodeId());
      runtime = NodeRuntime.start(resolved, List.of(activity));
      runtime.serveClients(ControlService.handler(runtime.context(), activity));
    } catch (ConfigProblem e) {
      System.err.println("mtls-voting run: bad configuration: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      System.err.println("mtls-voting run: the node could not start: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "mtls-voting-shutdown"));
    runtime.whenTerminated().toCompletableFuture().join();
    return 0;
  }
}
