package io.mtlsvoting.node.etcd;

import io.mtlsvoting.node.tally.BanRegistry;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.persistence.etcd.BanEvent;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.protocol.VoteVerifier;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;

/**
 * The {@link EtcdWriter}'s ban half, run on the writer's thread: publishes this node's bans and
 * unbans one at a time (bounded queue, retried by the writer's backoff), follows {@code banned/}
 * and enforces a ban published by another node only when its evidence proves a double vote to this
 * node; other published bans are advisory and only logged. A deleted ban is lifted here too.
 */
final class BanSync {

  /** Messages routed back to this helper through {@link EtcdWriter.BanMessage}. */
  sealed interface Msg {}

  record Observed(BanEvent event) implements Msg {}

  record Written(Op op, Throwable error) implements Msg {}

  record Unbanned(BanRegistry.UnbanResult result) implements Msg {}

  record Registered(Throwable error) implements Msg {}

  /** A queued write. */
  sealed interface Op {}

  record Put(BanRecord ban) implements Op {}

  record Delete(int nodeId) implements Op {}

  private final EtcdWriterDeps deps;
  private final EtcdCoordinator etcd;
  private final ActorContext<EtcdWriter.Command> ctx;
  private final Logger log;
  private final Consumer<Throwable> onFailure;
  private final Runnable onSuccess;
  private final Map<Integer, VoteVerifier> verifiers;
  private final ActorRef<BanRegistry.UnbanResult> unbanAdapter;
  private final Deque<Op> queue = new ArrayDeque<>();
  private boolean writing;
  private EtcdCoordinator.Subscription watch;

  BanSync(
      EtcdWriterDeps deps,
      ActorContext<EtcdWriter.Command> ctx,
      Consumer<Throwable> onFailure,
      Runnable onSuccess) {
    this.deps = deps;
    this.etcd = deps.coordinator();
    this.ctx = ctx;
    this.log = ctx.getLog();
    this.onFailure = onFailure;
    this.onSuccess = onSuccess;
    this.verifiers = deps.verifiers();
    this.unbanAdapter =
        ctx.messageAdapter(
            BanRegistry.UnbanResult.class, r -> new EtcdWriter.BanMessage(new Unbanned(r)));
  }

  /** Registers the member key and starts following {@code banned/}. */
  void start() {
    if (watch != null) {
      return;
    }
    ActorRef<EtcdWriter.Command> self = ctx.getSelf();
    watch = etcd.watchBans(e -> self.tell(new EtcdWriter.BanMessage(new Observed(e))));
    deps.self()
        .ifPresent(
            info ->
                ctx.pipeToSelf(
                    etcd.registerMember(deps.membership().selfId(), info),
                    (ok, error) -> new EtcdWriter.BanMessage(new Registered(error))));
  }

  void stop() {
    if (watch != null) {
      watch.close();
      watch = null;
    }
  }

  int pendingCount() {
    return queue.size();
  }

  void enqueuePut(BanRecord ban) {
    enqueue(new Put(ban));
  }

  void enqueueDelete(int nodeId) {
    enqueue(new Delete(nodeId));
  }

  private void enqueue(Op op) {
    if (queue.size() >= deps.settings().maxPendingBans()) {
      log.warn("etcd ban queue full; dropping the oldest write {}", queue.pollFirst());
    }
    queue.addLast(op);
  }

  /** Starts the next queued write unless one is in progress. */
  void pump() {
    Op op = queue.peekFirst();
    if (writing || op == null) {
      return;
    }
    writing = true;
    if (op instanceof Put p) {
      ctx.pipeToSelf(
          etcd.putBan(p.ban().nodeId(), CoordinationJson.ban(p.ban())),
          (ok, error) -> new EtcdWriter.BanMessage(new Written(op, error)));
    } else if (op instanceof Delete d) {
      ctx.pipeToSelf(
          etcd.deleteBan(d.nodeId()),
          (ok, error) -> new EtcdWriter.BanMessage(new Written(op, error)));
    }
  }

  void onMessage(Msg msg) {
    if (msg instanceof Written w) {
      writing = false;
      if (w.error() != null) {
        onFailure.accept(w.error());
      } else {
        onSuccess.run();
        queue.remove(w.op());
        log.info("etcd ban record written: {}", w.op());
      }
    } else if (msg instanceof Observed o) {
      observed(o.event());
    } else if (msg instanceof Unbanned u && u.result().wasBanned()) {
      log.info("node {} unbanned here: its ban was deleted from etcd", u.result().nodeId());
    } else if (msg instanceof Registered r && r.error() != null) {
      log.warn(
          "members/{} not registered yet, retrying: {}",
          deps.membership().selfId(),
          r.error().getMessage());
    }
  }

  private void observed(BanEvent event) {
    int self = deps.membership().selfId();
    if (event instanceof BanEvent.Unbanned u) {
      log.info("etcd: ban of node {} lifted by an operator; unbanning here", u.nodeId());
      deps.registry().tell(new BanRegistry.Unban(u.nodeId(), unbanAdapter));
      return;
    }
    BanEvent.Banned b = (BanEvent.Banned) event;
    BanRecord ban;
    try {
      ban = CoordinationJson.parseBan(b.banJson());
    } catch (IllegalArgumentException e) {
      log.warn("etcd: unreadable ban record for node {} ignored: {}", b.nodeId(), e.getMessage());
      return;
    }
    if (ban.bannedBy() == self || !deps.membership().member(b.nodeId())) {
      return;
    }
    if (ban.nodeId() != b.nodeId()) {
      log.warn("etcd: ban record under banned/{} names node {}; ignored", b.nodeId(), ban.nodeId());
    } else if (b.nodeId() == self) {
      log.warn("etcd: node {} published a ban of this node: {}", ban.bannedBy(), ban.reason());
    } else if (ban.provesDoubleVote(deps.membership().clusterId(), verifiers)) {
      log.info(
          "etcd: ban of node {} by node {} re-verified (double vote in tx {}); banning here",
          ban.nodeId(),
          ban.bannedBy(),
          ban.txId());
      deps.registry()
          .tell(
              new BanRegistry.Ban(
                  ban.nodeId(),
                  ViolationType.DOUBLE_VOTING,
                  ban.txId(),
                  "double vote proven by evidence in etcd, published by node " + ban.bannedBy()));
    } else {
      log.warn(
          "etcd: advisory ban of node {} by node {} ({}: {}) not enforced: its evidence proves"
              + " nothing to this node",
          ban.nodeId(),
          ban.bannedBy(),
          ban.violation(),
          ban.reason());
    }
  }
}
