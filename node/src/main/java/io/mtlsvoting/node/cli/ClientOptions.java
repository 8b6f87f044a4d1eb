package io.mtlsvoting.node.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every client command shares: which node, which certificates, which output. */
final class ClientOptions {
  @Option(
      names = "--node",
      paramLabel = "ID|HOST:PORT",
      defaultValue = "1",
      description = "Node to talk to: a member id or HOST:PORT (default: ${DEFAULT-VALUE})")
  String node;

  @Option(
      names = "--nodes",
      paramLabel = "ID@HOST:PORT,...",
      defaultValue = "${env:MTLS_NODES}",
      description =
          "The cluster's nodes (env MTLS_NODES); default: the members in --config/application.conf")
  String nodes;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Cluster config file (HOCON) to read the members from")
  Path config;

  @Option(
      names = "--cert",
      paramLabel = "FILE",
      defaultValue = "${env:CLIENT_CERT_PATH:-certs/client.crt}",
      description = "Client certificate, PEM (env CLIENT_CERT_PATH; default: ${DEFAULT-VALUE})")
  Path cert;

  @Option(
      names = "--key",
      paramLabel = "FILE",
      defaultValue = "${env:CLIENT_KEY_PATH:-certs/client.key}",
      description = "Client key, PKCS#8 PEM (env CLIENT_KEY_PATH; default: ${DEFAULT-VALUE})")
  Path key;

  @Option(
      names = "--ca",
      paramLabel = "FILE",
      defaultValue = "${env:CA_CERT_PATH:-certs/ca.crt}",
      description = "Cluster CA certificate, PEM (env CA_CERT_PATH; default: ${DEFAULT-VALUE})")
  Path ca;

  @Option(names = "--json", description = "Print JSON for scripts instead of text")
  boolean json;

  private ClusterNodes cluster;
  private ClientTls tls;

  ClusterNodes cluster() {
    if (cluster == null) {
      cluster = ClusterNodes.load(nodes, config);
    }
    return cluster;
  }

  ClientTls tls() {
    if (tls == null) {
      tls = ClientTls.load(cert, key, ca);
    }
    return tls;
  }

  /** The node chosen with {@code --node}. */
  NodeAddress target() {
    return cluster().resolve(node);
  }

  ControlClient connect(NodeAddress node) {
    return ControlClient.connect(node, tls());
  }
}
