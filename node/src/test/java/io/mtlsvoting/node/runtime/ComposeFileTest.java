package io.mtlsvoting.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.protocol.CertificateIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * There is no Docker engine to run the compose cluster here, so this checks it by construction: the
 * environment each node service sets, with the image's application.conf, is accepted by the node's
 * own config loader and describes the cluster the compose file builds.
 */
class ComposeFileTest {
  @TempDir static Path certs;
  static JsonNode compose;
  static final Path ROOT = TestCluster.repoRoot();

  @BeforeAll
  static void read() throws Exception {
    TestCluster.generateCerts(certs, 5);
    compose =
        new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
  }

  private static Config nodeConfig(String service) {
    Map<String, String> env = new HashMap<>();
    compose
        .get("services")
        .get(service)
        .get("environment")
        .fields()
        .forEachRemaining(
            e -> env.put(e.getKey(), e.getValue().asText().replace("/certs/", certs + "/")));
    Config operator = ConfigFactory.parseFile(ROOT.resolve("application.conf").toFile());
    return NodeConfig.withEnvironment(operator, env);
  }

  @Test
  void composeDefinesThreeEtcdMembersPostgresAndFiveNodes() {
    var services = compose.get("services");
    for (String s : List.of("etcd-1", "etcd-2", "etcd-3", "postgres")) {
      assertTrue(services.has(s), s);
    }
    // Every QC adds a key: without compaction etcd also keeps every revision until its quota.
    for (String s : List.of("etcd-1", "etcd-2", "etcd-3")) {
      String command = services.get(s).get("command").toString();
      assertTrue(command.contains("--auto-compaction-mode=periodic"), s + ": " + command);
      assertTrue(command.contains("--auto-compaction-retention=1h"), s + ": " + command);
    }
    for (int i = 1; i <= 5; i++) {
      JsonNode node = services.get("node-" + i);
      assertTrue(node.has("healthcheck"), "node-" + i + " health check");
      assertEquals("./certs:/certs:ro", node.get("volumes").get(0).asText(), "certs read-only");
    }
  }

  @Test
  void everyNodeServiceEnvironmentIsAcceptedByTheConfigLoader() {
    for (int i = 1; i <= 5; i++) {
      Config c = nodeConfig("node-" + i);
      NodeSettings s = NodeSettings.load(c);
      assertEquals(i, s.nodeId());
      assertEquals("0.0.0.0", s.listenAddress().getHostString());
      assertEquals(9000, s.listenAddress().getPort());
      assertEquals(5, s.members().size(), "members of node " + i + ": " + s.members());
      for (int m = 1; m <= 5; m++) {
        if (m != i) {
          assertEquals("node-" + m, s.members().get(m).getHostString(), "address of member " + m);
        }
      }
      assertEquals(4, s.quorum().t());
      assertFalse(s.byzantineTesting(), "byzantine-testing off in compose");
      assertTrue(
          c.getString("mtls-voting.persistence.db.url").startsWith("jdbc:postgresql://postgres:"));
      var memberCerts = NodeRuntime.memberCertificates(c, s);
      assertEquals(5, memberCerts.size());
      memberCerts.forEach(
          (id, cert) -> assertEquals(CertificateIdentity.node(id), CertificateIdentity.of(cert)));
    }
  }

  /** Runs this JDK's java with {@code javaOpts} (split on blanks, as the image's sh does). */
  private static int javaExit(String javaOpts) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(javaOpts.trim().split("\\s+")));
    cmd.add("-version");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  @Test
  void theImageAndEveryNodeServiceGiveTheJitFourCompilerThreadsInOptionsTheJvmAccepts()
      throws Exception {
    List<String> options = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      options.add(
          compose.get("services").get("node-" + i).get("environment").get("JAVA_OPTS").asText());
    }
    String env =
        Files.readAllLines(ROOT.resolve("docker/Dockerfile")).stream()
            .filter(l -> l.startsWith("ENV JAVA_OPTS="))
            .findFirst()
            .orElseThrow(() -> new AssertionError("the Dockerfile sets no JAVA_OPTS"));
    options.add(env.substring("ENV JAVA_OPTS=".length()).replace("\"", ""));
    for (String o : options) {
      assertTrue(o.contains("-XX:CICompilerCount=4"), o);
      assertEquals(0, javaExit(o), "java refuses " + o);
    }
  }

  @Test
  void dockerfileCopiesWhatTheRepositoryHasAndRunsTheShadedJar() throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("docker/Dockerfile"));
    for (String line : lines) {
      String l = line.trim();
      if (l.startsWith("COPY ") && !l.contains("--from=")) {
        String src = l.split("\\s+")[1];
        assertTrue(Files.exists(ROOT.resolve(src)), "Dockerfile copies missing " + src);
      }
    }
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("node/target/mtls-voting.jar")),
        "the image runs the shaded jar the build makes");
  }
}
