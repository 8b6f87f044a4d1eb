package io.mtlsvoting.node.audit;

import io.mtlsvoting.persistence.audit.AuditRepository;
import io.mtlsvoting.persistence.journal.JournalReader;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Projects this node's journal into the audit tables: polls the journal on the JDBC dispatcher, one
 * {@link AuditProjector} step at a time, and retries with backoff when the database fails. It is
 * fed by the journal alone, so nothing waits for it; after a crash it resumes from its offset.
 */
public final class AuditWriter extends AbstractBehavior<AuditWriter.Command> {

  /** Dispatcher of all blocking JDBC work. */
  public static final String JDBC_DISPATCHER = "mtls-voting.persistence.jdbc-dispatcher";

  /** Messages of the audit writer. */
  public sealed interface Command {}

  /** Asks for the projection's position (for tests and monitor). */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  /**
   * The projection's position: every journal ordering up to {@code watermark} is projected, and so
   * is every one up to {@code head} but {@code pendingGaps}; {@code lastError} is null when the
   * last step succeeded.
   */
  public record Status(
      long watermark, long head, int pendingGaps, long rowsProjected, String lastError) {}

  private record Poll() implements Command {}

  private record Loaded(GapTracker tracker) implements Command {}

  private record Stepped(AuditProjector.Step step) implements Command {}

  private record Failed(Throwable cause) implements Command {}

  private static final String TIMER = "poll";

  private final AuditSettings settings;
  private final AuditProjector projector;
  private final Executor jdbc;
  private final TimerScheduler<Command> timers;
  private GapTracker tracker;
  private long rowsProjected;
  private int failures;
  private String lastError;

  private AuditWriter(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      AuditSettings settings,
      AuditProjector projector) {
    super(ctx);
    this.settings = settings;
    this.projector = projector;
    this.timers = timers;
    this.jdbc =
        ctx.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(JDBC_DISPATCHER));
    ctx.getSelf().tell(new Poll());
  }

  /** The projection name (and offset row) of node {@code selfId}. */
  public static String projectionName(int selfId) {
    return "audit-node-" + selfId;
  }

  /**
   * The audit writer of node {@code selfId}, reading the journal and writing the audit tables of
   * {@code dataSource} (migrated); {@code faults} is {@link ProjectionFaults#NONE} in production.
   */
  public static Behavior<Command> create(
      int selfId, AuditSettings settings, DataSource dataSource, ProjectionFaults faults) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(faults, "faults");
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers ->
                    new AuditWriter(
                        ctx,
                        timers,
                        settings,
                        new AuditProjector(
                            selfId,
                            settings,
                            new JournalReader(dataSource),
                            AuditRepository.create(dataSource),
                            SerializationExtension.get(ctx.getSystem().classicSystem()),
                            faults,
                            System::currentTimeMillis))));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Poll.class, p -> onPoll())
        .onMessage(Loaded.class, this::onLoaded)
        .onMessage(Stepped.class, this::onStepped)
        .onMessage(Failed.class, this::onFailed)
        .onMessage(GetStatus.class, this::onGetStatus)
        .build();
  }

  private Behavior<Command> onPoll() {
    if (tracker == null) {
      run(() -> new Loaded(projector.load()));
    } else {
      GapTracker from = tracker;
      run(() -> new Stepped(projector.step(from)));
    }
    return this;
  }

  private Behavior<Command> onLoaded(Loaded m) {
    tracker = m.tracker();
    getContext()
        .getLog()
        .info("Audit projection resumes after journal ordering {}", tracker.head());
    return succeeded(true);
  }

  private Behavior<Command> onStepped(Stepped m) {
    tracker = m.step().tracker();
    rowsProjected += m.step().projected();
    // A full batch means more is waiting: go on at once.
    return succeeded(m.step().read() >= settings.batchSize());
  }

  private Behavior<Command> succeeded(boolean again) {
    failures = 0;
    lastError = null;
    if (again) {
      getContext().getSelf().tell(new Poll());
    } else {
      timers.startSingleTimer(TIMER, new Poll(), settings.pollInterval());
    }
    return this;
  }

  private Behavior<Command> onFailed(Failed m) {
    failures++;
    lastError = String.valueOf(m.cause());
    long factor = 1L << Math.min(failures, 16);
    Duration delay = settings.pollInterval().multipliedBy(factor);
    if (delay.compareTo(settings.maxBackoff()) > 0) {
      delay = settings.maxBackoff();
    }
    getContext()
        .getLog()
        .warn(
            "Audit projection step failed ({} in a row), retrying in {}",
            failures,
            delay,
            m.cause());
    timers.startSingleTimer(TIMER, new Poll(), delay);
    return this;
  }

  private Behavior<Command> onGetStatus(GetStatus m) {
    GapTracker t = tracker;
    m.replyTo()
        .tell(
            t == null
                ? new Status(0, 0, 0, rowsProjected, lastError)
                : new Status(t.watermark(), t.head(), t.gaps().size(), rowsProjected, lastError));
    return this;
  }

  /** Blocking work on the JDBC dispatcher; its result or failure comes back as a message. */
  private void run(BlockingStep work) {
    CompletableFuture<Command> f =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return work.call();
              } catch (Exception e) {
                throw new CompletionException(e);
              }
            },
            jdbc);
    getContext()
        .pipeToSelf(
            f,
            (result, error) ->
                error == null
                    ? result
                    : new Failed(
                        error instanceof CompletionException c && c.getCause() != null
                            ? c.getCause()
                            : error));
  }

  @FunctionalInterface
  private interface BlockingStep {
    Command call() throws Exception;
  }
}
