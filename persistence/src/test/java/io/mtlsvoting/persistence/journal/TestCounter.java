package io.mtlsvoting.persistence.journal;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A small event-sourced actor that appends values, snapshotting every 3 events (or, made with
 * {@link #createWithoutSnapshots}, never).
 */
final class TestCounter
    extends EventSourcedBehavior<TestCounter.Command, TestCounter.Added, TestCounter.State> {

  sealed interface Command {}

  record Add(String value, ActorRef<Done> replyTo) implements Command {}

  record Get(ActorRef<State> replyTo) implements Command {}

  record Added(String value) implements TestSerializable {}

  record State(List<String> values) implements TestSerializable {
    State append(String value) {
      List<String> copy = new ArrayList<>(values);
      copy.add(value);
      return new State(List.copyOf(copy));
    }
  }

  private final boolean snapshots;

  static Behavior<Command> create(String persistenceId) {
    return new TestCounter(PersistenceId.ofUniqueId(persistenceId), true);
  }

  /** Like the node's vote tally: never snapshots, so its recovery skips the snapshot store. */
  static Behavior<Command> createWithoutSnapshots(String persistenceId) {
    return new TestCounter(PersistenceId.ofUniqueId(persistenceId), false);
  }

  private TestCounter(PersistenceId persistenceId, boolean snapshots) {
    super(persistenceId);
    this.snapshots = snapshots;
  }

  @Override
  public Recovery recovery() {
    return snapshots
        ? super.recovery()
        : Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return snapshots ? RetentionCriteria.snapshotEvery(3, 2) : RetentionCriteria.disabled();
  }

  @Override
  public CommandHandler<Command, Added, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Add.class,
            add ->
                Effect().persist(new Added(add.value())).thenReply(add.replyTo(), s -> Done.done()))
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Added> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Added.class, (state, added) -> state.append(added.value()))
        .build();
  }
}
