package io.mtlsvoting.node.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.mtlsvoting.node.audit.AuditSettings;
import io.mtlsvoting.node.config.ConfigProblem;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.etcd.EtcdStartup;
import io.mtlsvoting.node.etcd.EtcdWriterSettings;
import io.mtlsvoting.node.mesh.ClientConnectionHandler;
import io.mtlsvoting.node.mesh.TlsContexts;
import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.TallyListener;
import io.mtlsvoting.node.tally.TallySettings;
import io.mtlsvoting.node.util.PersistenceIds;
import io.mtlsvoting.persistence.db.DataSourceRegistry;
import io.mtlsvoting.persistence.db.DbSettings;
import io.mtlsvoting.persistence.db.EmbeddedPostgresServer;
import io.mtlsvoting.persistence.db.Migrations;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import io.mtlsvoting.protocol.Pem;
import io.mtlsvoting.protocol.VoteSigner;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: reads and checks the configuration, prepares the database (an embedded
 * PostgreSQL when no URL is configured) and its schema, then starts the actor system and waits
 * until the mesh is listening. {@link #close} stops it all.
 */
public final class NodeRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeRuntime.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<NodeGuardian.Command> system;
  private final NodeContext context;
  private final DataSourceRegistry.Lease database;
  private final Optional<EmbeddedPostgresServer> embedded;
  private final AtomicReference<ClientConnectionHandler> clients;
  private final Optional<NodeGuardian.Etcd> etcd;

  private NodeRuntime(
      ActorSystem<NodeGuardian.Command> system,
      NodeContext context,
      DataSourceRegistry.Lease database,
      Optional<EmbeddedPostgresServer> embedded,
      AtomicReference<ClientConnectionHandler> clients,
      Optional<NodeGuardian.Etcd> etcd) {
    this.etcd = etcd;
    this.system = system;
    this.context = context;
    this.database = database;
    this.embedded = embedded;
    this.clients = clients;
  }

  /** Config path of the prefix of the ids the journal's filter of known ids covers. */
  static final String KNOWN_IDS_PREFIX = "mtls-voting.persistence.journal.known-ids.id-prefix";

  /**
   * {@code config} with the journal's filter of known ids covering node {@code nodeId}'s own
   * persistence ids ({@code node-<id>|}), unless a prefix is configured: nodes sharing a database
   * then each hold their own ids only.
   */
  static Config withOwnJournalIds(Config config, int nodeId) {
    if (!config.getString(KNOWN_IDS_PREFIX).isEmpty()) {
      return config;
    }
    return config.withValue(
        KNOWN_IDS_PREFIX, ConfigValueFactory.fromAnyRef(PersistenceIds.nodePrefix(nodeId)));
  }

  /** Starts a node from a resolved configuration (see {@link NodeConfig}). */
  public static NodeRuntime start(Config config) {
    return start(config, List.of());
  }

  /**
   * Starts a node; {@code extraListeners} are told of every journaled tally event (etcd, tests).
   * Fails with a {@link ConfigProblem} for bad configuration, or an exception saying what could not
   * be started.
   */
  public static NodeRuntime start(Config config, List<TallyListener> extraListeners) {
    NodeSettings settings = NodeSettings.load(config);
    TallySettings tallySettings = TallySettings.fromConfig(config);
    Membership membership =
        new Membership(
            settings.clusterId(),
            settings.nodeId(),
            settings.quorum(),
            new java.util.TreeSet<>(settings.members().keySet()));
    X509Certificate ca = Pem.readCertificate(settings.tls().caCert());
    X509Certificate own = Pem.readCertificate(settings.tls().nodeCert());
    VoteSigner signer = VoteSigner.of(Pem.readPrivateKey(settings.tls().nodeKey()));
    Map<Integer, X509Certificate> memberCerts = memberCertificates(config, settings);
    TlsContexts tls = TlsContexts.create(settings.tls());

    Optional<EmbeddedPostgresServer> embedded = Optional.empty();
    String url = config.getString("mtls-voting.persistence.db.url");
    if (url.isBlank()) {
      Path dir = Path.of(config.getString("mtls-voting.persistence.embedded.data-directory"));
      int port = config.getInt("mtls-voting.persistence.embedded.port");
      log.info("no PostgreSQL URL configured (POSTGRES_URL); starting an embedded one in {}", dir);
      EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, port);
      embedded = Optional.of(pg);
      config =
          config.withValue(
              "mtls-voting.persistence.db.url", ConfigValueFactory.fromAnyRef(pg.jdbcUrl()));
    }
    DbSettings db = DbSettings.fromConfig(config);
    DataSourceRegistry.Lease lease = DataSourceRegistry.acquire(db);
    try {
      int applied = Migrations.apply(lease.dataSource(), db.schema());
      log.info("database {} ready ({} migrations applied)", db.url(), applied);
    } catch (RuntimeException e) {
      lease.close();
      embedded.ifPresent(EmbeddedPostgresServer::close);
      throw new IllegalStateException(
          "cannot prepare the database at " + db.url() + ": " + e.getMessage(), e);
    }

    HealthChecks health = new HealthChecks();
    health.register("postgres", () -> databaseHealth(lease));
    Optional<NodeGuardian.Etcd> etcd;
    try {
      etcd = connectEtcd(config, settings, membership);
    } catch (RuntimeException e) {
      lease.close();
      embedded.ifPresent(EmbeddedPostgresServer::close);
      throw e;
    }
    etcd.ifPresent(
        e ->
            health.register(
                "etcd",
                () ->
                    e.coordinator().isHealthy()
                        ? "ok"
                        : "degraded: " + e.coordinator().lastError().orElse("unreachable")));
    AtomicReference<ClientConnectionHandler> clients =
        new AtomicReference<>(ClientConnectionHandler.refuseAll());
    ClientConnectionHandler delegating = (id, cert) -> clients.get().accept(id, cert);
    Duration askTimeout = config.getDuration("mtls-voting.ask-timeout");
    NodeGuardian.Parts parts =
        new NodeGuardian.Parts(
            settings,
            tallySettings,
            membership,
            ca,
            own,
            memberCerts,
            signer,
            tls,
            delegating,
            List.copyOf(extraListeners),
            health,
            askTimeout,
            AuditSettings.fromConfig(config),
            lease.dataSource(),
            etcd);
    CompletableFuture<NodeContext> ready = new CompletableFuture<>();
    ActorSystem<NodeGuardian.Command> system =
        ActorSystem.create(
            NodeGuardian.create(parts, ready),
            "node-" + settings.nodeId(),
            withOwnJournalIds(config, settings.nodeId()));
    try {
      NodeContext context = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      OpenTallies.reviveWhenProjected(context, lease.dataSource());
      return new NodeRuntime(system, context, lease, embedded, clients, etcd);
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      system.terminate();
      awaitQuietly(system);
      lease.close();
      embedded.ifPresent(EmbeddedPostgresServer::close);
      etcd.ifPresent(x -> x.coordinator().close());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("node " + settings.nodeId() + " did not start: " + cause, e);
    }
  }

  /**
   * Connects to etcd when {@code mtls-voting.etcd.endpoints} is set and checks that the cluster
   * config stored there (n, t, members) is this node's: a node whose config differs refuses to
   * start, naming each difference.
   */
  private static Optional<NodeGuardian.Etcd> connectEtcd(
      Config config, NodeSettings settings, Membership membership) {
    Config block = config.getConfig("mtls-voting.etcd");
    Optional<EtcdSettings> etcd = EtcdSettings.fromConfig(block, settings.clusterId());
    if (etcd.isEmpty()) {
      log.info("etcd coordination disabled (no mtls-voting.etcd.endpoints / ETCD_ENDPOINTS)");
      return Optional.empty();
    }
    EtcdWriterSettings writer = EtcdWriterSettings.fromConfig(block);
    EtcdCoordinator coordinator = EtcdCoordinator.connect(etcd.get());
    try {
      EtcdStartup.ConfigCheck check =
          EtcdStartup.checkConfig(
              coordinator,
              EtcdStartup.clusterConfig(membership),
              etcd.get().prefix(),
              writer.startupTimeout());
      return Optional.of(
          new NodeGuardian.Etcd(coordinator, writer, check == EtcdStartup.ConfigCheck.AGREED));
    } catch (InterruptedException e) {
      coordinator.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the etcd config", e);
    } catch (RuntimeException e) {
      coordinator.close();
      throw e;
    }
  }

  /** Reads every member's certificate (votes are verified only against these keys). */
  static Map<Integer, X509Certificate> memberCertificates(Config config, NodeSettings settings) {
    String pattern = config.getString("mtls-voting.tls.member-cert-pattern");
    if (pattern.isBlank()) {
      Path dir = settings.tls().nodeCert().toAbsolutePath().getParent();
      pattern = dir.resolve("node{id}.crt").toString();
    }
    Map<Integer, X509Certificate> certs = new TreeMap<>();
    for (int id : settings.members().keySet()) {
      Path file = Path.of(pattern.replace("{id}", Integer.toString(id)));
      try {
        certs.put(id, Pem.readCertificate(file));
      } catch (RuntimeException e) {
        throw new ConfigProblem(
            "mtls-voting.tls.member-cert-pattern",
            "cannot read the certificate of member " + id + " (" + e.getMessage() + ")",
            e);
      }
    }
    return certs;
  }

  private static String databaseHealth(DataSourceRegistry.Lease lease) {
    try (Connection c = lease.dataSource().getConnection()) {
      return c.isValid(2) ? "ok" : "degraded: connection not valid";
    } catch (Exception e) {
      return "degraded: " + e.getMessage();
    }
  }

  public NodeContext context() {
    return context;
  }

  /** Serves connections made with client certificates (the control protocol). */
  public void serveClients(ClientConnectionHandler handler) {
    clients.set(handler);
  }

  /** Completes when the node's actor system has terminated. */
  public CompletionStage<Done> whenTerminated() {
    return system.getWhenTerminated();
  }

  /** The JDBC URL in use (useful when an embedded server was started). */
  public String databaseUrl() {
    return system.settings().config().getString("mtls-voting.persistence.db.url");
  }

  @Override
  public void close() {
    system.terminate();
    awaitQuietly(system);
    etcd.ifPresent(e -> e.coordinator().close());
    database.close();
    embedded.ifPresent(EmbeddedPostgresServer::close);
  }

  private static void awaitQuietly(ActorSystem<?> system) {
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("actor system did not terminate cleanly: {}", e.toString());
    }
  }
}
