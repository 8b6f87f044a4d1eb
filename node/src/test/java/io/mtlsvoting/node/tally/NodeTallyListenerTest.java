package io.mtlsvoting.node.tally;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.node.mesh.Broadcaster;
import io.mtlsvoting.protocol.Message;
import io.mtlsvoting.protocol.VoteRequest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What the node's standard listener puts on the wire when a tally asks for missing votes. */
class NodeTallyListenerTest {
  static final ActorTestKit TESTKIT = ActorTestKit.create("NodeTallyListenerTest");

  @AfterAll
  static void tearDown() {
    TESTKIT.shutdownTestKit();
  }

  @Test
  void missingVotesAreAskedOfConnectedMembersOnlyNotCountedAsDropsForTheOthers() {
    Set<Integer> linked = Set.of(2, 4);
    List<Map.Entry<Integer, Message>> sent = new CopyOnWriteArrayList<>();
    Broadcaster wire =
        new Broadcaster() {
          @Override
          public void broadcast(Message m) {
            throw new AssertionError("nothing is broadcast for a missing vote: " + m);
          }

          @Override
          public boolean sendTo(int nodeId, Message m) {
            sent.add(Map.entry(nodeId, m));
            return linked.contains(nodeId);
          }

          @Override
          public boolean connected(int nodeId) {
            return linked.contains(nodeId);
          }
        };
    NodeTallyListener listener =
        new NodeTallyListener(1, wire, TESTKIT.<BanRegistry.Command>createTestProbe().ref());

    listener.onVotesMissing("tx-9", List.of(2, 3, 4, 5));

    VoteRequest request = new VoteRequest("tx-9");
    assertEquals(List.of(Map.entry(2, request), Map.entry(4, request)), List.copyOf(sent));
  }
}
