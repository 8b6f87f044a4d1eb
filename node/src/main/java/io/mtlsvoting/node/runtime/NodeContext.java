package io.mtlsvoting.node.runtime;

import io.mtlsvoting.node.audit.AuditWriter;
import io.mtlsvoting.node.config.NodeSettings;
import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.node.mesh.Node;
import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.BanView;
import io.mtlsvoting.node.tally.ByzantineActions;
import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.TallyMetrics;
import io.mtlsvoting.node.tally.TallySettings;
import io.mtlsvoting.node.tally.VoteCaster;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Everything a running node is made of, for the parts that serve it (control protocol, etcd, audit,
 * tests): settings, certificates, the actors and the thread-safe helpers around them.
 *
 * @param byzantine present only when the node runs with {@code byzantine-testing = on}
 * @param health named health checks ("postgres", "etcd", ...) for info and monitor
 * @param etcdWriter present when etcd coordination is configured
 * @param etcd the etcd client, for read-only views (members, consensus records)
 */
public record NodeContext(
    NodeSettings settings,
    TallySettings tallySettings,
    Membership membership,
    X509Certificate caCertificate,
    X509Certificate nodeCertificate,
    Map<Integer, X509Certificate> memberCertificates,
    ActorSystem<?> system,
    ActorRef<Node.Command> mesh,
    ActorRef<VoteRouter.Command> router,
    ActorRef<AuditWriter.Command> audit,
    ActorRef<BanRegistry.Command> banRegistry,
    BanView bans,
    Broadcaster broadcaster,
    VoteCaster caster,
    Optional<ByzantineActions> byzantine,
    TallyMetrics metrics,
    HealthChecks health,
    Instant startedAt,
    Optional<ActorRef<EtcdWriter.Command>> etcdWriter,
    Optional<EtcdCoordinator> etcd) {

  public int nodeId() {
    return settings.nodeId();
  }
}
