package io.mtlsvoting.node.etcd;

import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.node.util.PersistenceIds;
import io.mtlsvoting.persistence.etcd.ConfigResult;
import io.mtlsvoting.persistence.etcd.ConsensusResult;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.UnsignedValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The node's single owner of etcd traffic. Decided transactions enter a journaled outbox ({@code
 * node-<self>|etcd-outbox}); each QC is stored create-if-absent under {@code consensus/<tx_id>}
 * (pipelined, bounded in flight), the request leaving while its outbox entry is being journaled,
 * and the tally is committed with the value etcd holds once the entry is journaled. While etcd is
 * unreachable the outbox waits and retries with backoff; voting never waits for it. Bans are
 * published and followed through {@link BanSync}.
 */
public final class EtcdWriter
    extends EventSourcedBehaviorWithEnforcedReplies<EtcdWriter.Command, OutboxEvent, Outbox> {

  /** Messages of the writer. */
  public sealed interface Command {}

  /** A tally reached its threshold (told by {@link EtcdTallyListener}). */
  public record ThresholdReached(String txId, QuorumCertificate certificate) implements Command {}

  /** Replies with those of {@code txIds} the outbox neither holds nor is about to journal. */
  public record NotQueued(List<String> txIds, ActorRef<List<String>> replyTo) implements Command {}

  /** Publish a ban this node enacted under {@code banned/<id>}. */
  public record PublishBan(BanRecord ban) implements Command {}

  /** An operator lifted a ban on this node: delete {@code banned/<id>}. */
  public record PublishUnban(int nodeId) implements Command {}

  /** Asks for the coordination health, for {@code info}/{@code monitor}. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * Coordination health.
   *
   * @param healthy etcd answers and the last request succeeded
   * @param configAgreed etcd holds this node's cluster config
   * @param pending decided txs not yet confirmed in etcd and committed
   * @param unjournaled of those, how many are not yet in the outbox's journal (a crash now would
   *     leave them at THRESHOLD_REACHED)
   * @param inFlight of those, how many are being worked on now
   * @param pendingBans ban writes waiting for etcd
   * @param committed commits completed since start
   * @param safetyAlarms conflicting records found in etcd since start
   * @param lastError the last etcd error, if any
   */
  public record Status(
      boolean healthy,
      boolean configAgreed,
      int pending,
      int unjournaled,
      int inFlight,
      int pendingBans,
      long committed,
      long safetyAlarms,
      Optional<String> lastError) {}

  private record ConfigAnswered(ConfigResult result, Throwable error) implements Command {}

  private record ConsensusAnswered(
      List<String> txIds, Map<String, ConsensusResult> results, Throwable error)
      implements Command {}

  private record TallyAnswered(String txId, VoteTally.CommitReply reply, Throwable error)
      implements Command {}

  private record Retry() implements Command {}

  private record Flush() implements Command {}

  /** Internal messages of {@link BanSync}. */
  record BanMessage(BanSync.Msg msg) implements Command {}

  private static final Duration TALLY_TIMEOUT = Duration.ofSeconds(30);

  private final EtcdWriterDeps deps;
  private final EtcdWriterSettings settings;
  private final EtcdCoordinator etcd;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final BanSync bans;
  private final Set<String> inFlight = new HashSet<>();
  // etcd transactions under way; while they are, newly decided txs gather into the next batch.
  private int requestsInFlight;
  private final List<OutboxEvent> unflushed = new ArrayList<>();
  // Decided txs whose CommitQueued is buffered or being journaled: already sent to etcd with the
  // journaled ones (a crash before the write leaves the tally's journaled decision, which the
  // start-up requeue hands back), so the journal write and the etcd request overlap.
  private final Map<String, OutboxState.Pending> queued = new LinkedHashMap<>();
  private boolean configAgreed;
  private boolean configChecking;
  private List<String> configDifferences = List.of();
  private int failures;
  private boolean retryScheduled;
  private long committed;
  private long alarms;
  private String lastError;

  private EtcdWriter(
      EtcdWriterDeps deps, ActorContext<Command> ctx, TimerScheduler<Command> timers) {
    super(persistenceId(deps.membership().selfId()));
    this.deps = deps;
    this.settings = deps.settings();
    this.etcd = deps.coordinator();
    this.ctx = ctx;
    this.timers = timers;
    this.configAgreed = deps.configAgreed();
    this.bans = new BanSync(deps, ctx, this::onFailure, this::onSuccess);
  }

  /** The writer of one node; spawn it once, before the tallies start deciding. */
  public static Behavior<Command> create(EtcdWriterDeps deps) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new EtcdWriter(deps, ctx, timers)));
  }

  public static PersistenceId persistenceId(int selfId) {
    return PersistenceId.ofUniqueId(PersistenceIds.nodePrefix(selfId) + "etcd-outbox");
  }

  @Override
  public Outbox emptyState() {
    return Outbox.empty();
  }

  /** Snapshots are immutable copies, taken on this actor; the running outbox is mutable. */
  @Override
  public SnapshotAdapter<Outbox> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Outbox outbox) {
        return outbox.snapshot();
      }

      @Override
      public Outbox fromJournal(Object snapshot) {
        return Outbox.of((OutboxState) snapshot);
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.outboxSnapshotEvery(), 2)
        .withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandlerWithReply<Command, OutboxEvent, Outbox> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(ThresholdReached.class, this::onThreshold)
        .onCommand(
            NotQueued.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        c.txIds().stream().filter(tx -> pending(s, tx) == null).toList()))
        .onCommand(ConsensusAnswered.class, this::onConsensus)
        .onCommand(TallyAnswered.class, this::onTally)
        .onCommand(Flush.class, (s, c) -> onFlush(s))
        .onCommand(ConfigAnswered.class, this::onConfig)
        .onCommand(Retry.class, (s, c) -> pumpAfter(() -> retryScheduled = false, s))
        .onCommand(PublishBan.class, (s, c) -> pumpAfter(() -> bans.enqueuePut(c.ban()), s))
        .onCommand(PublishUnban.class, (s, c) -> pumpAfter(() -> bans.enqueueDelete(c.nodeId()), s))
        .onCommand(BanMessage.class, (s, c) -> pumpAfter(() -> bans.onMessage(c.msg()), s))
        .onCommand(GetStatus.class, (s, c) -> Effect().reply(c.replyTo(), status(s)))
        .build();
  }

  private ReplyEffect<OutboxEvent, Outbox> onThreshold(Outbox s, ThresholdReached c) {
    if (pending(s, c.txId()) != null) {
      return Effect().noReply();
    }
    QuorumCertificate qc = c.certificate();
    OutboxEvent.CommitQueued q =
        new OutboxEvent.CommitQueued(c.txId(), CoordinationJson.certificate(qc), qc.value());
    queued.put(q.txId(), new OutboxState.Pending(q.txId(), q.qcJson(), q.value()));
    buffer(q);
    pump(s);
    return Effect().noReply();
  }

  /** Group commit: events gathered while a write is under way go to the journal in one write. */
  private void buffer(OutboxEvent e) {
    if (unflushed.isEmpty()) {
      ctx.getSelf().tell(new Flush());
    }
    unflushed.add(e);
  }

  private ReplyEffect<OutboxEvent, Outbox> onFlush(Outbox s) {
    if (unflushed.isEmpty()) {
      return Effect().noReply();
    }
    List<OutboxEvent> events = List.copyOf(unflushed);
    unflushed.clear();
    return Effect()
        .persist(events)
        .thenRun(
            (Outbox after) -> {
              for (OutboxEvent e : events) {
                if (e instanceof OutboxEvent.CommitQueued q) {
                  queued.remove(q.txId());
                } else if (e instanceof OutboxEvent.CommitDone d) {
                  inFlight.remove(d.txId());
                  if (d.result() == OutboxEvent.Result.SAFETY_ALARM
                      || d.result() == OutboxEvent.Result.UNREADABLE_CONFLICT) {
                    alarms++;
                  } else {
                    committed++;
                  }
                }
              }
              pump(after);
            })
        .thenNoReply();
  }

  private ReplyEffect<OutboxEvent, Outbox> onConsensus(Outbox s, ConsensusAnswered c) {
    requestsInFlight--;
    if (c.error() != null) {
      c.txIds().forEach(inFlight::remove);
      onFailure(c.error());
      return pumpAfter(() -> {}, s);
    }
    onSuccess();
    boolean released = false;
    for (String txId : c.txIds()) {
      OptionalLong commitValue = commitValue(s, txId, c.results().get(txId));
      if (commitValue.isEmpty()) {
        // Not pending any more, or no answer for it: free the slot (an unreadable conflict
        // instead stays in flight until its CommitDone is journaled).
        if (pending(s, txId) == null || !c.results().containsKey(txId)) {
          released |= inFlight.remove(txId);
        }
        continue;
      }
      long value = commitValue.getAsLong();
      Ask.<VoteRouter.Command, VoteTally.CommitReply, Command>pipe(
          ctx,
          deps.router(),
          replyTo -> new VoteRouter.Route(txId, new VoteTally.Commit(value, replyTo)),
          TALLY_TIMEOUT,
          (reply, error) -> new TallyAnswered(txId, reply, error));
    }
    if (released) {
      pump(s);
    }
    return Effect().noReply();
  }

  /** {@code txId}'s pending commit, journaled or still being journaled; null when there is none. */
  private OutboxState.Pending pending(Outbox s, String txId) {
    OutboxState.Pending p = s.get(txId);
    return p != null ? p : queued.get(txId);
  }

  /**
   * The value to commit {@code txId}'s tally with, given what etcd answered; empty when there is
   * nothing to commit (no longer pending, or a stored record that cannot be read, then recorded).
   */
  private OptionalLong commitValue(Outbox s, String txId, ConsensusResult result) {
    OutboxState.Pending p = pending(s, txId);
    if (p == null || result == null) {
      return OptionalLong.empty();
    }
    long value = p.value();
    if (result instanceof ConsensusResult.Conflict conflict) {
      OptionalLong stored = CoordinationJson.storedValue(conflict.existingJson());
      ctx.getLog()
          .error(
              "SAFETY ALARM: etcd holds a different decision for tx {} than this node's {}: {}",
              txId,
              UnsignedValues.format(value),
              conflict.existingJson());
      if (stored.isEmpty()) {
        done(txId, OutboxEvent.Result.UNREADABLE_CONFLICT);
        return OptionalLong.empty();
      }
      value = stored.getAsLong();
    }
    return OptionalLong.of(value);
  }

  private ReplyEffect<OutboxEvent, Outbox> onTally(Outbox s, TallyAnswered c) {
    if (c.error() != null) {
      inFlight.remove(c.txId());
      ctx.getLog().warn("tally {} did not answer the commit, retrying: {}", c.txId(), c.error());
      scheduleRetry();
      return Effect().noReply();
    }
    return done(c.txId(), OutboxEvent.Result.valueOf(c.reply().outcome().name()));
  }

  private ReplyEffect<OutboxEvent, Outbox> done(String txId, OutboxEvent.Result result) {
    // Stays in flight until the CommitDone is journaled, so it is not dispatched again.
    buffer(new OutboxEvent.CommitDone(txId, result));
    return Effect().noReply();
  }

  private ReplyEffect<OutboxEvent, Outbox> onConfig(Outbox s, ConfigAnswered c) {
    configChecking = false;
    if (c.error() != null) {
      onFailure(c.error());
    } else if (c.result() instanceof ConfigResult.Different d) {
      onSuccess();
      configDifferences = d.differences();
      ctx.getLog()
          .error(
              "the cluster config in etcd differs from this node's ({}); writing nothing to etcd",
              String.join("; ", d.differences()));
    } else {
      onSuccess();
      configAgreed = true;
      ctx.getLog().info("cluster config agreed with etcd");
    }
    return pumpAfter(() -> {}, s);
  }

  private ReplyEffect<OutboxEvent, Outbox> pumpAfter(Runnable action, Outbox s) {
    action.run();
    pump(s);
    return Effect().noReply();
  }

  /** Starts as much pending work as the gates allow: config agreed, not backing off, in-flight. */
  private void pump(Outbox s) {
    if (!configAgreed) {
      if (!configChecking && !retryScheduled && configDifferences.isEmpty()) {
        configChecking = true;
        ctx.pipeToSelf(
            etcd.createConfigIfAbsent(EtcdStartup.clusterConfig(deps.membership())),
            (r, e) -> new ConfigAnswered(r, e));
      }
      return;
    }
    if (retryScheduled) {
      return;
    }
    // After a failure one request probes etcd; full pipelining resumes once one succeeds.
    int limit = failures == 0 ? settings.maxInFlight() : 1;
    int batchSize = failures == 0 ? settings.consensusBatch() : 1;
    int maxRequests = Math.max(1, limit / batchSize);
    Map<String, String> batch = new LinkedHashMap<>();
    // The journaled commits first, then those still being journaled.
    sending:
    for (Collection<OutboxState.Pending> part : List.of(s.inOrder(), queued.values())) {
      for (OutboxState.Pending p : part) {
        if (inFlight.size() >= limit || requestsInFlight >= maxRequests) {
          break sending;
        }
        if (inFlight.add(p.txId())) {
          batch.put(p.txId(), p.qcJson());
          if (batch.size() >= batchSize) {
            sendConsensus(batch);
            batch = new LinkedHashMap<>();
          }
        }
      }
    }
    if (!batch.isEmpty()) {
      sendConsensus(batch);
    }
    if (failures == 0 || inFlight.isEmpty()) {
      bans.pump();
    }
  }

  /** Stores the QCs of {@code batch} (tx id -> JSON) in etcd, in as few transactions as it can. */
  private void sendConsensus(Map<String, String> batch) {
    List<String> txIds = List.copyOf(batch.keySet());
    requestsInFlight++;
    ctx.pipeToSelf(etcd.putConsensusIfAbsent(batch), (r, e) -> new ConsensusAnswered(txIds, r, e));
  }

  private void onSuccess() {
    if (failures > 0) {
      ctx.getLog().info("etcd reachable again after {} failed attempts; catching up", failures);
    }
    failures = 0;
  }

  private void onFailure(Throwable error) {
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    lastError = cause.getMessage();
    if (retryScheduled) {
      return; // the other requests of the same outage; already backing off
    }
    failures++;
    if (failures == 1) {
      ctx.getLog().warn("etcd unreachable, queueing and retrying: {}", lastError);
    }
    scheduleRetry();
  }

  private void scheduleRetry() {
    if (!retryScheduled) {
      retryScheduled = true;
      timers.startSingleTimer(new Retry(), settings.retryDelay(Math.max(1, failures)));
    }
  }

  private Status status(Outbox s) {
    return new Status(
        etcd.isHealthy() && failures == 0,
        configAgreed,
        s.size() + queued.size(),
        queued.size(),
        inFlight.size(),
        bans.pendingCount(),
        committed,
        alarms,
        Optional.ofNullable(lastError).or(etcd::lastError));
  }

  @Override
  public EventHandler<Outbox, OutboxEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Outbox::apply);
  }

  @Override
  public SignalHandler<Outbox> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(PostStop.instance(), s -> bans.stop())
        .build();
  }

  private void onRecovered(Outbox s) {
    if (!s.isEmpty()) {
      ctx.getLog().info("etcd outbox recovered with {} pending commits", s.size());
    }
    bans.start();
    pump(s);
  }
}
