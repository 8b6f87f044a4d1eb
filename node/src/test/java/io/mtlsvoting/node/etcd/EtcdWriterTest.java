package io.mtlsvoting.node.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsvoting.node.tally.Membership;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.persistence.etcd.EtcdCoordinator;
import io.mtlsvoting.persistence.etcd.EtcdExtension;
import io.mtlsvoting.persistence.etcd.EtcdSettings;
import io.mtlsvoting.persistence.etcd.Poll;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Five node stacks against a real etcd: config agreement, one QC per tx, conflicts, bans. */
class EtcdWriterTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static EtcdSettings fresh() {
    return ETCD.freshSettings(Duration.ofSeconds(2), Duration.ofSeconds(4));
  }

  @Test
  void aNodeWithAnotherThresholdRefusesToStartNamingTheDifference() throws Exception {
    EtcdSettings s = fresh();
    try (EtcdCoordinator first = EtcdCoordinator.connect(s);
        EtcdCoordinator second = EtcdCoordinator.connect(s)) {
      Membership fiveOfFour = Membership.of(TestCluster.CLUSTER, 1, 5, 4);
      assertEquals(
          EtcdStartup.ConfigCheck.AGREED,
          EtcdStartup.checkConfig(
              first, EtcdStartup.clusterConfig(fiveOfFour), s.prefix(), Duration.ofSeconds(30)));
      assertEquals(
          EtcdStartup.ConfigCheck.AGREED,
          EtcdStartup.checkConfig(
              second,
              EtcdStartup.clusterConfig(fiveOfFour.as(2)),
              s.prefix(),
              Duration.ofSeconds(30)));
      Membership fiveOfThree = Membership.of(TestCluster.CLUSTER, 3, 5, 3);
      EtcdStartup.ConfigMismatchException refused =
          assertThrows(
              EtcdStartup.ConfigMismatchException.class,
              () ->
                  EtcdStartup.checkConfig(
                      second,
                      EtcdStartup.clusterConfig(fiveOfThree),
                      s.prefix(),
                      Duration.ofSeconds(30)));
      assertEquals(List.of("threshold: etcd has 4, this node has 3"), refused.differences());
      assertTrue(
          refused.getMessage().contains("threshold: etcd has 4, this node has 3"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("refusing to start"), refused.getMessage());
    }
  }

  @Test
  void theCertificateGoesToEtcdWhileItsOutboxEntryIsStillBeingJournaled() throws Exception {
    EtcdSettings s = fresh();
    try (TestCluster c = TestCluster.inMemory(s)) {
      TestCluster.Node one = c.start(1);
      Poll.until(TestCluster.WAIT, () -> assertTrue(c.status(1).configAgreed()));
      // Hold every write of node 1's outbox until released; the tally's writes go through.
      String outbox = EtcdWriter.persistenceId(1).id();
      CountDownLatch release = new CountDownLatch(1);
      PersistenceTestKit journal = PersistenceTestKit.create(c.kit.system());
      journal.withPolicy(
          (pid, op) -> {
            if (pid.equals(outbox) && op instanceof WriteEvents) {
              try {
                release.await(TestCluster.WAIT.toSeconds(), TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return ProcessingSuccess$.MODULE$;
          });
      try {
        c.decide("tx-overlap", 7L);
        Poll.until(
            TestCluster.WAIT,
            () -> assertEquals(Map.of("tx-overlap", 1L), TestCluster.consensusVersions(s)));
        // Stored while CommitQueued is still unwritten: the tally is not committed before it is.
        assertTrue(one.seen().threshold.containsKey("tx-overlap"));
        assertFalse(one.seen().committed.containsKey("tx-overlap"));
      } finally {
        release.countDown();
        journal.resetPolicy();
      }
      Poll.until(
          TestCluster.WAIT,
          () -> assertTrue(one.seen().committed.containsKey("tx-overlap"), "committed"));
      assertEquals(0, c.status(1).pending());
    }
  }

  @Test
  void fiveNodesStoreOneVerifiableCertificateAndAllCommit() throws Exception {
    EtcdSettings s = fresh();
    try (TestCluster c = TestCluster.inMemory(s)) {
      c.startAll();
      c.decide("tx-one", -2L); // 18446744073709551614 as unsigned
      Poll.until(
          TestCluster.WAIT,
          () -> {
            for (TestCluster.Node n : c.nodes.values()) {
              assertTrue(n.seen().committed.containsKey("tx-one"), "node " + n.id() + " committed");
            }
          });
      assertEquals(Map.of("tx-one", 1L), TestCluster.consensusVersions(s));
      String json =
          c.nodes
              .get(1)
              .coordinator()
              .getConsensus("tx-one")
              .get(30, TimeUnit.SECONDS)
              .orElseThrow();
      assertTrue(json.contains("\"value\":\"18446744073709551614\""), json);
      QuorumCertificate qc = CoordinationJson.parseCertificate(json);
      assertEquals(-2L, qc.value());
      assertEquals("tx-one", qc.txId());
      assertTrue(qc.verify(c.certs.ca, c.certs.certs, 4).valid(), "stored QC verifies offline");
      Poll.until(
          TestCluster.WAIT,
          () -> {
            EtcdWriter.Status st = c.status(1);
            assertTrue(st.healthy() && st.configAgreed(), st.toString());
            assertEquals(0, st.pending());
            assertEquals(1, st.committed());
          });
      assertEquals(5, c.nodes.get(1).coordinator().listMembers().get(30, TimeUnit.SECONDS).size());
    }
  }

  @Test
  void aForgedConflictingRecordRaisesASafetyAlarmInsteadOfCommitting() throws Exception {
    EtcdSettings s = fresh();
    try (TestCluster c = TestCluster.inMemory(s)) {
      c.startAll();
      String forged =
          "{\"clusterId\":\""
              + TestCluster.CLUSTER
              + "\",\"txId\":\"tx-forged\",\"value\":\"999\","
              + "\"votes\":[]}";
      c.nodes
          .get(1)
          .coordinator()
          .putConsensusIfAbsent("tx-forged", forged)
          .get(30, TimeUnit.SECONDS);
      c.decide("tx-forged", 7);
      Poll.until(
          TestCluster.WAIT,
          () -> {
            for (TestCluster.Node n : c.nodes.values()) {
              assertEquals(999L, n.seen().alarms.get("tx-forged"), "node " + n.id() + " alarmed");
            }
            assertEquals(1, c.status(1).safetyAlarms());
          });
      for (TestCluster.Node n : c.nodes.values()) {
        assertFalse(n.seen().committed.containsKey("tx-forged"), "node " + n.id() + " committed");
      }
      assertEquals(Map.of("tx-forged", 1L), TestCluster.consensusVersions(s));
    }
  }

  @Test
  void provenBansSpreadThroughEtcdAdvisoryOnesDoNotAndUnbansFollow() throws Exception {
    EtcdSettings s = fresh();
    try (TestCluster c = TestCluster.inMemory(s)) {
      c.startAll();
      // Node 3 publishes an unprovable ban of node 4 (a forged "double vote" with a bad signature).
      Vote good = c.signed(4, "tx-x", 1);
      BanRecord unprovable =
          new BanRecord(
              4,
              ViolationType.DOUBLE_VOTING,
              "tx-x",
              "claimed",
              3,
              Instant.now(),
              List.of(good, c.signed(4, "tx-x", 2).withSignature(new byte[64])));
      c.nodes.get(3).writer().tell(new EtcdWriter.PublishBan(unprovable));
      // Node 1 sees node 5 sign two values itself; its tally detects it, bans and publishes.
      TestCluster.Node one = c.nodes.get(1);
      one.router()
          .tell(
              new io.mtlsvoting.node.tally.VoteRouter.Route(
                  "tx-dv",
                  new io.mtlsvoting.node.tally.VoteTally.Deliver(c.signed(5, "tx-dv", 1))));
      one.router()
          .tell(
              new io.mtlsvoting.node.tally.VoteRouter.Route(
                  "tx-dv",
                  new io.mtlsvoting.node.tally.VoteTally.Deliver(c.signed(5, "tx-dv", 2))));
      Poll.until(
          TestCluster.WAIT,
          () -> {
            for (TestCluster.Node n : c.nodes.values()) {
              if (n.id() != 5) {
                assertTrue(n.bans().test(5), "node " + n.id() + " banned node 5");
              }
            }
          });
      String published = one.coordinator().listBans().get(30, TimeUnit.SECONDS).get(5);
      BanRecord ban = CoordinationJson.parseBan(published);
      assertEquals(1, ban.bannedBy());
      assertEquals(2, ban.evidence().size());
      // The watch delivers in revision order: the earlier advisory ban was seen and not enforced.
      for (TestCluster.Node n : c.nodes.values()) {
        assertFalse(n.bans().test(4), "node " + n.id() + " did not enforce the advisory ban");
      }

      // Operator unban on node 1: local registry, then etcd; the others follow the delete.
      var unbanned = c.kit.<io.mtlsvoting.node.tally.BanRegistry.UnbanResult>createTestProbe();
      one.registry().tell(new io.mtlsvoting.node.tally.BanRegistry.Unban(5, unbanned.ref()));
      assertTrue(unbanned.receiveMessage().wasBanned());
      one.writer().tell(new EtcdWriter.PublishUnban(5));
      Poll.until(
          TestCluster.WAIT,
          () -> {
            for (TestCluster.Node n : c.nodes.values()) {
              assertFalse(n.bans().test(5), "node " + n.id() + " lifted the ban of node 5");
            }
          });
      assertFalse(one.coordinator().listBans().get(30, TimeUnit.SECONDS).containsKey(5));
    }
  }
}
