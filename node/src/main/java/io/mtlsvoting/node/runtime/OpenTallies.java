package io.mtlsvoting.node.runtime;

import io.mtlsvoting.node.audit.AuditWriter;
import io.mtlsvoting.node.etcd.EtcdWriter;
import io.mtlsvoting.node.tally.Phase;
import io.mtlsvoting.node.tally.TallyState;
import io.mtlsvoting.node.tally.VoteRouter;
import io.mtlsvoting.node.tally.VoteTally;
import io.mtlsvoting.node.util.Ask;
import io.mtlsvoting.persistence.audit.AuditRepository;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revives, at node start, the tallies that were still collecting when the node stopped, so their
 * vote-timeout deadlines (kept in their journals) fire even if no vote touches them again, and
 * hands the etcd outbox the decisions it does not hold (the node stopped after a tally journaled
 * its decision but before the outbox journaled the commit), so they are committed. The lists come
 * from the audit trail once its projection has caught up with the journal.
 */
final class OpenTallies {
  private static final Logger log = LoggerFactory.getLogger(OpenTallies.class);
  private static final Duration CATCH_UP_LIMIT = Duration.ofSeconds(120);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private OpenTallies() {}

  /** What a start revived: open tallies, and decisions handed to the etcd outbox again. */
  record Revived(int open, int requeued) {}

  private record Found(List<String> open, List<String> decided) {}

  static CompletionStage<Revived> reviveWhenProjected(NodeContext c, DataSource db) {
    Executor jdbc =
        c.system().dispatchers().lookup(DispatcherSelector.fromConfig(AuditWriter.JDBC_DISPATCHER));
    AuditRepository audit = AuditRepository.create(db);
    long until = System.nanoTime() + CATCH_UP_LIMIT.toNanos();
    return CompletableFuture.supplyAsync(() -> journalHead(db), jdbc)
        .thenCompose(head -> awaitProjected(c, head, until))
        .thenApplyAsync(
            ignored -> {
              try {
                // Without etcd nothing is ever committed: every decision stays uncommitted.
                return new Found(
                    audit.openTransactions(c.nodeId()),
                    c.etcdWriter().isPresent()
                        ? audit.uncommittedDecisions(c.nodeId())
                        : List.of());
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            },
            jdbc)
        .thenCompose(
            found -> {
              revive(c, found.open());
              return requeue(c, found.decided())
                  .thenApply(requeued -> new Revived(found.open().size(), requeued));
            })
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                log.warn("could not revive open tallies: {}", e.toString());
                return;
              }
              if (r.open() > 0) {
                log.info("revived {} open tallies; their original deadlines resume", r.open());
              }
              if (r.requeued() > 0) {
                log.warn(
                    "{} decided txs were not in the etcd outbox (the node stopped between the"
                        + " tally's write and the outbox's); queued them for commit now",
                    r.requeued());
              }
            });
  }

  /**
   * Of {@code decided}, those the etcd outbox does not hold are read from their tallies and handed
   * to it; completes with how many.
   */
  private static CompletionStage<Integer> requeue(NodeContext c, List<String> decided) {
    if (decided.isEmpty() || c.etcdWriter().isEmpty()) {
      return CompletableFuture.completedFuture(0);
    }
    ActorRef<EtcdWriter.Command> writer = c.etcdWriter().get();
    return Ask.<EtcdWriter.Command, List<String>>ask(
            writer,
            replyTo -> new EtcdWriter.NotQueued(decided, replyTo),
            ASK_TIMEOUT,
            c.system().scheduler())
        .thenCompose(
            missing -> {
              List<CompletableFuture<Boolean>> each =
                  missing.stream().map(tx -> requeueOne(c, writer, tx)).toList();
              return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                  .thenApply(x -> (int) each.stream().filter(CompletableFuture::join).count());
            });
  }

  private static CompletableFuture<Boolean> requeueOne(
      NodeContext c, ActorRef<EtcdWriter.Command> writer, String tx) {
    return Ask.<VoteRouter.Command, TallyState>ask(
            c.router(),
            replyTo -> new VoteRouter.Route(tx, new VoteTally.GetState(replyTo)),
            ASK_TIMEOUT,
            c.system().scheduler())
        .thenApply(
            state -> {
              // The audit row may lag the journal: the tally itself says whether it is uncommitted.
              if (state.phase() != Phase.THRESHOLD_REACHED || state.certificate() == null) {
                return false;
              }
              writer.tell(new EtcdWriter.ThresholdReached(tx, state.certificate()));
              return true;
            })
        .exceptionally(
            e -> {
              log.warn("could not read the decision of tx {} to commit it: {}", tx, e.toString());
              return false;
            });
  }

  /** The highest journal ordering written so far (by any node sharing the database). */
  private static long journalHead(DataSource db) {
    try (Connection conn = db.getConnection();
        Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the journal head: " + e.getMessage(), e);
    }
  }

  /** Completes once the projection's watermark has reached {@code head}, or at the limit. */
  private static CompletionStage<Void> awaitProjected(NodeContext c, long head, long until) {
    return Ask.<AuditWriter.Command, AuditWriter.Status>ask(
            c.audit(), AuditWriter.GetStatus::new, Duration.ofSeconds(10), c.system().scheduler())
        .thenCompose(
            s ->
                s.watermark() >= head || System.nanoTime() > until
                    ? CompletableFuture.<Void>completedFuture(null)
                    : later(c).thenCompose(x -> awaitProjected(c, head, until)));
  }

  private static CompletionStage<Void> later(NodeContext c) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    c.system()
        .scheduler()
        .scheduleOnce(
            Duration.ofMillis(200), () -> f.complete(null), c.system().executionContext());
    return f;
  }

  private static void revive(NodeContext c, List<String> txs) {
    for (String tx : txs) {
      // Any command wakes the tally; recovery replays its journal and re-arms the deadline.
      c.router()
          .tell(
              new VoteRouter.Route(
                  tx, new VoteTally.GetState(c.system().ignoreRef().<TallyState>narrow())));
    }
  }
}
