package io.mtlsvoting.persistence.etcd;

import io.etcd.jetcd.Client;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a real single-member etcd for a test class ({@code @RegisterExtension static}): started
 * before all tests on free ports with a temporary data dir, stoppable and restartable on the same
 * ports and data (outage tests), always killed afterwards. Needs the {@code etcd} binary (Debian
 * {@code etcd-server}; {@code scripts/test.sh} installs it), or its path in {@code ETCD_BINARY}.
 */
public final class EtcdExtension implements BeforeAllCallback, AfterAllCallback {
  private static final Duration START_DEADLINE = Duration.ofSeconds(30);
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(10);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final boolean tls;
  private Path dir;
  private int clientPort;
  private int peerPort;
  private Process process;
  private Thread shutdownHook;

  /** A plain-HTTP etcd. */
  public EtcdExtension() {
    this(false);
  }

  private EtcdExtension(boolean tls) {
    this.tls = tls;
  }

  /**
   * An etcd that serves only TLS and requires client certificates, with a throw-away CA, server and
   * client certificates made by {@code openssl} (see {@link #clientTls()}).
   */
  public static EtcdExtension withTls() {
    return new EtcdExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("etcd-test-");
    if (tls) {
      TestCertificates.create(dir.resolve("tls"));
    }
    clientPort = freePort();
    peerPort = freePort();
    while (peerPort == clientPort) {
      peerPort = freePort();
    }
    shutdownHook = new Thread(this::kill, "etcd-test-kill");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      stop();
    } finally {
      kill();
      if (shutdownHook != null) {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      }
      deleteRecursively(dir);
    }
  }

  /** The client URL, {@code http://127.0.0.1:<port>} (https with {@link #withTls()}). */
  public URI endpoint() {
    return URI.create((tls ? "https" : "http") + "://127.0.0.1:" + clientPort);
  }

  /** CA, client certificate and key for a TLS etcd; empty for a plain one. */
  public Optional<EtcdSettings.Tls> clientTls() {
    if (!tls) {
      return Optional.empty();
    }
    Path d = dir.resolve("tls");
    return Optional.of(
        new EtcdSettings.Tls(
            d.resolve("ca.crt"),
            Optional.of(d.resolve("client.crt")),
            Optional.of(d.resolve("client.key"))));
  }

  /**
   * Settings for this etcd under a prefix no other test uses, so tests stay independent.
   *
   * @param requestTimeout the request timeout
   * @param leaseTtl the member lease TTL
   */
  public EtcdSettings freshSettings(Duration requestTimeout, Duration leaseTtl) {
    String prefix = "/mtls-voting-test/" + UUID.randomUUID() + "/";
    return new EtcdSettings(
        List.of(endpoint()), prefix, requestTimeout, Duration.ofSeconds(1), leaseTtl, clientTls());
  }

  /** Starts etcd (again) on the same ports and data dir and waits until it reports healthy. */
  public synchronized void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      return;
    }
    String binary = binary();
    String client = endpoint().toString();
    String peer = "http://127.0.0.1:" + peerPort;
    Path log = dir.resolve("etcd.log");
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            binary,
            "--name",
            "t",
            "--data-dir",
            dir.resolve("data").toString(),
            "--listen-client-urls",
            client,
            "--advertise-client-urls",
            client,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            "t=" + peer));
    if (tls) {
      Path d = dir.resolve("tls");
      command.addAll(
          List.of(
              "--cert-file",
              d.resolve("server.crt").toString(),
              "--key-file",
              d.resolve("server.key").toString(),
              "--trusted-ca-file",
              d.resolve("ca.crt").toString(),
              "--client-cert-auth"));
    }
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    awaitHealthy(log);
  }

  /** Stops etcd (SIGTERM, then SIGKILL after a deadline) and waits until the process is gone. */
  public synchronized void stop() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
    }
    process = null;
  }

  private synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  private void awaitHealthy(Path log) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    try (Client probe = tls ? tlsProbeClient() : null) {
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "etcd exited with " + process.exitValue() + " during start:\n" + tail(log));
        }
        if (tls ? answersOverTls(probe) : answersOverHttp()) {
          return;
        }
        Thread.sleep(50);
      }
    }
    kill();
    throw new IllegalStateException(
        "etcd did not become healthy within " + START_DEADLINE + ":\n" + tail(log));
  }

  private boolean answersOverHttp() throws InterruptedException {
    HttpRequest health =
        HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
            .timeout(Duration.ofSeconds(1))
            .build();
    try {
      HttpResponse<String> r = http.send(health, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"health\":\"true\"");
    } catch (IOException notYet) {
      return false;
    }
  }

  private static boolean answersOverTls(Client probe) throws InterruptedException {
    try {
      probe.getKVClient().get(EtcdKeys.bytes("/health-probe")).get(1, TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException | TimeoutException notYet) {
      return false;
    }
  }

  private Client tlsProbeClient() throws IOException {
    EtcdSettings.Tls files = clientTls().orElseThrow();
    return Client.builder()
        .endpoints(endpoint())
        .sslContext(
            ssl ->
                ssl.trustManager(files.caFile().toFile())
                    .keyManager(
                        files.certFile().orElseThrow().toFile(),
                        files.keyFile().orElseThrow().toFile()))
        .build();
  }

  private static String binary() {
    String configured = System.getenv("ETCD_BINARY");
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String d : path.split(File.pathSeparator)) {
      Path candidate = Path.of(d, "etcd");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    throw new IllegalStateException(
        "etcd binary not found on PATH: run scripts/test.sh (installs it) or"
            + " `sudo apt-get install etcd-server etcd-client`, or set ETCD_BINARY");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no etcd log: " + e + ")";
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
