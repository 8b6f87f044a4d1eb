package io.mtlsvoting.node.audit;

import io.mtlsvoting.node.tally.TallyEvent;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/** Test actor that journals given tally events under a given persistence id. */
final class EventPersister
    extends EventSourcedBehavior<EventPersister.Command, TallyEvent, Integer> {

  sealed interface Command {}

  record Persist(List<TallyEvent> events, ActorRef<Done> replyTo) implements Command {}

  private EventPersister(String persistenceId) {
    super(PersistenceId.ofUniqueId(persistenceId));
  }

  static Behavior<Command> create(String persistenceId) {
    return Behaviors.setup(ctx -> new EventPersister(persistenceId));
  }

  @Override
  public Integer emptyState() {
    return 0;
  }

  @Override
  public CommandHandler<Command, TallyEvent, Integer> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            Persist.class,
            c -> Effect().persist(c.events()).thenRun(s -> c.replyTo().tell(Done.done())))
        .build();
  }

  @Override
  public EventHandler<Integer, TallyEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
  }
}
