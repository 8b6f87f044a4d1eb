package io.mtlsvoting.persistence.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.japi.Util;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.testkit.javadsl.TestKit;

/**
 * Drives the journal plugin, loaded by Pekko from config, through the journal protocol the way a
 * persistent actor (and Pekko's TCK) does.
 */
final class JournalHarness implements AutoCloseable {

  static final String JOURNAL = "mtls-voting.persistence.journal";
  static final String SNAPSHOT = "mtls-voting.persistence.snapshot";
  // Only guards against a hang; the journal answers or fails well before.
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(60);

  /** What a replay returned. */
  record Replay(List<PersistentRepr> events, long highestSequenceNr) {
    List<Long> sequenceNrs() {
      return events.stream().map(PersistentRepr::sequenceNr).toList();
    }
  }

  final ActorSystem system;
  final ActorRef journal;
  final ActorRef snapshotStore;
  final TestKit probe;

  JournalHarness(Config config) {
    system = ActorSystem.create("journal-test", config);
    journal = Persistence.get(system).journalFor(JOURNAL, ConfigFactory.empty());
    snapshotStore = Persistence.get(system).snapshotStoreFor(SNAPSHOT, ConfigFactory.empty());
    probe = new TestKit(system);
  }

  static PersistentRepr repr(String persistenceId, long sequenceNr, Object payload) {
    return PersistentRepr.apply(
        payload, sequenceNr, persistenceId, "", false, ActorRef.noSender(), "writer-1");
  }

  static AtomicWrite atomic(PersistentRepr... reprs) {
    return AtomicWrite.apply(Util.immutableSeq(List.of(reprs)));
  }

  /** Events {@code from..to} of one id, one atomic write each. */
  static List<AtomicWrite> events(String persistenceId, long from, long to) {
    List<AtomicWrite> writes = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      writes.add(atomic(repr(persistenceId, seq, new TestEvent(persistenceId + "-" + seq))));
    }
    return writes;
  }

  void send(List<AtomicWrite> writes) {
    List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
    journal.tell(
        new JournalProtocol.WriteMessages(Util.immutableSeq(envelopes), probe.getRef(), 1),
        probe.getRef());
  }

  /** Writes and returns the replies: the batch outcome first, then one per event. */
  List<Object> write(List<AtomicWrite> writes) {
    send(writes);
    int events = writes.stream().mapToInt(AtomicWrite::size).sum();
    List<Object> replies = new ArrayList<>();
    for (int i = 0; i <= events; i++) {
      replies.add(probe.expectMsgClass(Object.class));
    }
    return replies;
  }

  /** Writes and expects every event to succeed. */
  void writeOk(List<AtomicWrite> writes) {
    List<Object> replies = write(writes);
    if (!(replies.get(0) instanceof JournalProtocol.WriteMessagesSuccessful$)
        || !replies.stream()
            .skip(1)
            .allMatch(r -> r instanceof JournalProtocol.WriteMessageSuccess)) {
      throw new AssertionError("write failed: " + replies);
    }
  }

  Replay replay(String persistenceId, long from, long to, long max) {
    journal.tell(
        new JournalProtocol.ReplayMessages(from, to, max, persistenceId, probe.getRef()),
        probe.getRef());
    List<PersistentRepr> events = new ArrayList<>();
    while (true) {
      Object msg = probe.expectMsgClass(Object.class);
      if (msg instanceof JournalProtocol.ReplayedMessage replayed) {
        events.add(replayed.persistent());
      } else if (msg instanceof JournalProtocol.RecoverySuccess success) {
        return new Replay(events, success.highestSequenceNr());
      } else {
        throw new AssertionError("replay failed: " + msg);
      }
    }
  }

  /**
   * Asks the journal for the highest sequence number as a recovering actor does (replaying
   * nothing), without waiting for the answer; many such asks can be outstanding at once.
   */
  CompletableFuture<Long> highest(String persistenceId) {
    return Patterns.askWithReplyTo(
            journal,
            replyTo -> new JournalProtocol.ReplayMessages(1, 0, 0, persistenceId, replyTo),
            ASK_TIMEOUT)
        .toCompletableFuture()
        .thenApply(
            reply -> {
              if (reply instanceof JournalProtocol.RecoverySuccess success) {
                return success.highestSequenceNr();
              } else if (reply instanceof JournalProtocol.ReplayMessagesFailure failure) {
                throw new CompletionException(failure.cause());
              }
              throw new AssertionError("unexpected reply to a replay: " + reply);
            });
  }

  /** The journal's filter of known ids, as it reports it (empty when switched off). */
  static Optional<KnownIds.Stats> knownIds(ActorRef journal) {
    Object reply =
        Patterns.ask(journal, JdbcJournal.GetKnownIdsStats.INSTANCE, ASK_TIMEOUT)
            .toCompletableFuture()
            .join();
    return ((Optional<?>) reply).map(KnownIds.Stats.class::cast);
  }

  /** Waits (at most a minute) until the journal's first scan of its ids has finished. */
  static KnownIds.Stats awaitKnownIds(ActorRef journal) throws InterruptedException {
    KnownIds.Stats stats = knownIds(journal).orElseThrow();
    for (int i = 0; i < 1200 && !stats.loaded(); i++) {
      Thread.sleep(50);
      stats = knownIds(journal).orElseThrow();
    }
    if (!stats.loaded()) {
      throw new AssertionError("the journal's ids were not loaded within a minute: " + stats);
    }
    return stats;
  }

  Replay replayAll(String persistenceId) {
    return replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  void deleteTo(String persistenceId, long toSequenceNr) {
    journal.tell(
        new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, probe.getRef()),
        probe.getRef());
    probe.expectMsgClass(org.apache.pekko.persistence.DeleteMessagesSuccess.class);
  }

  @Override
  public void close() {
    TestKit.shutdownActorSystem(system);
  }
}
