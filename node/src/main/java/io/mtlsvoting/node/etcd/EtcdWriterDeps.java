package io.mtlsvoting.node.etcd;

import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.MemberInfo;
import io.mtlsvoting.protocol.VoteVerifier;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What an {@link EtcdWriter} works with: the node's membership, its etcd client, the tally router
 * and ban authority it reports to, and the member certificates that re-verify published bans.
 *
 * @param self what to publish under {@code members/<id>}; empty = do not register
 * @param configAgreed whether {@link EtcdStartup#checkConfig} already confirmed the config
 */
public record EtcdWriterDeps(
    Membership membership,
    EtcdCoordinator coordinator,
    EtcdWriterSettings settings,
    ActorRef<VoteRouter.Command> router,
    ActorRef<BanRegistry.Command> registry,
    Map<Integer, X509Certificate> memberCerts,
    Optional<MemberInfo> self,
    boolean configAgreed) {

  /** Checks for nulls and copies the certificates. */
  public EtcdWriterDeps {
    Objects.requireNonNull(membership, "membership");
    Objects.requireNonNull(coordinator, "coordinator");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(router, "router");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(self, "self");
    memberCerts = Map.copyOf(memberCerts);
  }

  /** One signature verifier per member certificate. */
  Map<Integer, VoteVerifier> verifiers() {
    Map<Integer, VoteVerifier> out = new HashMap<>();
    memberCerts.forEach((id, cert) -> out.put(id, VoteVerifier.of(cert)));
    return Map.copyOf(out);
  }
}
