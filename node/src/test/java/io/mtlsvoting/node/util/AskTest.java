package io.mtlsvoting.node.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AskTest {

  private static ActorTestKit kit;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("ask-test");
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  record Echo(int n, ActorRef<Integer> replyTo) {}

  /** What the asking actor got back. */
  record Answered(Integer reply, Throwable error) {}

  private static Behavior<Echo> echo() {
    return Behaviors.receiveMessage(
        e -> {
          e.replyTo().tell(e.n() * 2);
          return Behaviors.same();
        });
  }

  private static Behavior<Echo> silent() {
    return Behaviors.receiveMessage(e -> Behaviors.same());
  }

  /** An actor that, once started, asks {@code target} for each of 1..asks with Ask.pipe. */
  private static Behavior<Answered> asker(
      ActorRef<Echo> target, int asks, Duration timeout, ActorRef<Answered> out) {
    return Behaviors.setup(
        ctx -> {
          for (int i = 1; i <= asks; i++) {
            int n = i;
            Ask.<Echo, Integer, Answered>pipe(
                ctx,
                target,
                replyTo -> new Echo(n, replyTo),
                timeout,
                (reply, error) -> new Answered(reply, error));
          }
          return Behaviors.receiveMessage(
              a -> {
                out.tell(a);
                return Behaviors.same();
              });
        });
  }

  @Test
  void pipeDeliversEveryReplyWithoutStartingAThreadPerAsk() {
    ActorRef<Echo> target = kit.spawn(echo());
    TestProbe<Answered> probe = kit.createTestProbe();
    long threadsBefore = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
    int asks = 200;
    kit.spawn(asker(target, asks, Duration.ofSeconds(10), probe.getRef()));
    List<Integer> replies = new ArrayList<>();
    for (int i = 0; i < asks; i++) {
      Answered a = probe.receiveMessage(Duration.ofSeconds(10));
      assertEquals(null, a.error());
      replies.add(a.reply());
    }
    replies.sort(Integer::compare);
    for (int i = 0; i < asks; i++) {
      assertEquals(2 * (i + 1), replies.get(i));
    }
    long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - threadsBefore;
    // A few dispatcher threads may start. ActorContext.ask hands each reply to the common pool,
    // which on a machine with two cores starts one thread per reply (205 for 200 asks here).
    assertTrue(started < asks / 4, started + " threads started for " + asks + " asks");
  }

  @Test
  void pipeDeliversTheTimeoutWhenTheTargetDoesNotAnswer() {
    ActorRef<Echo> target = kit.spawn(silent());
    TestProbe<Answered> probe = kit.createTestProbe();
    kit.spawn(asker(target, 1, Duration.ofMillis(100), probe.getRef()));
    Answered a = probe.receiveMessage(Duration.ofSeconds(10));
    assertEquals(null, a.reply());
    assertInstanceOf(TimeoutException.class, a.error());
  }

  @Test
  void directRunsChainedStagesOnTheThreadThatDeliveredTheReply() throws Exception {
    TestProbe<Echo> target = kit.createTestProbe();
    CompletableFuture<String> mappedOn =
        Ask.<Echo, Integer>ask(
                target.getRef(),
                replyTo -> new Echo(21, replyTo),
                Duration.ofSeconds(10),
                kit.scheduler())
            .thenApply(r -> r + " on " + Thread.currentThread().getName());
    Echo asked = target.receiveMessage(Duration.ofSeconds(10));
    Thread replier = new Thread(() -> asked.replyTo().tell(asked.n() * 2), "replier");
    replier.start();
    replier.join(10_000);
    // Pekko's own stage would run thenApply on the common pool (or a thread started for it).
    assertEquals("42 on replier", mappedOn.get(10, TimeUnit.SECONDS));
  }
}
