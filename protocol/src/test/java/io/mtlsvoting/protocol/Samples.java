package io.mtlsvoting.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** One valid instance of every message type, for codec tests. */
final class Samples {
  static final String CLUSTER = "test-cluster";
  static final String HASH = Protocol.configHash(5, 4, List.of(1, 2, 3, 4, 5));

  private Samples() {}

  static byte[] sig(int fill) {
    byte[] s = new byte[64];
    Arrays.fill(s, (byte) fill);
    return s;
  }

  static Vote vote(int node, long value) {
    return new Vote("tx-1", node, value, 1_700_000_000_000L, sig(node));
  }

  static List<Message> all() {
    ViolationView violation =
        new ViolationView("DOUBLE_VOTING", 3, "tx-1", 1, 1_700_000_000_500L, "values 1 and 2");
    PeerView peer =
        new PeerView(
            2,
            "10.0.0.2:7000",
            "CONNECTED",
            1_700_000_000_000L,
            350,
            10,
            11,
            1000,
            1100,
            0,
            0.95,
            false,
            "",
            "live");
    return List.of(
        new Hello(Protocol.PROTOCOL_VERSION, CLUSTER, 1, HASH),
        vote(1, -1L),
        new Evidence(vote(3, 1), vote(3, 2)),
        new Echo(vote(4, 9)),
        new VoteRequest("tx-1"),
        new Ping(42, 123_456_789L),
        new Pong(42, 123_456_789L),
        new SubmitVoteRequest(1, "tx-1", Long.MIN_VALUE, true, 30_000),
        new StatusRequest(2, "tx-1"),
        new InfoRequest(3),
        new PeersRequest(4),
        new TestByzantineRequest(5, TestByzantineRequest.DOUBLE_VOTE, ""),
        new TestByzantineRequest(6, TestByzantineRequest.SILENT, "tx-9"),
        new MonitorRequest(7),
        new UnbanRequest(8, 3),
        new SubmitVoteReply(
            1, vote(1, 7), "THRESHOLD_REACHED", "7", List.of(vote(1, 7), vote(2, 7)), false),
        new StatusReply(
            2,
            CLUSTER,
            "tx-1",
            "COMMITTED",
            Map.of("7", 4, "18446744073709551615", 1),
            List.of(VoteView.of(vote(1, 7)), VoteView.of(vote(5, -1L))),
            "7",
            List.of(vote(1, 7), vote(2, 7), vote(3, 7), vote(4, 7)),
            List.of(violation),
            1_700_000_000_000L,
            1_700_000_030_000L,
            ""),
        new InfoReply(
            3,
            1,
            "0.0.0.0:7000",
            CLUSTER,
            1,
            5,
            4,
            2,
            1,
            30_000,
            "CN=node-1",
            "ab".repeat(32),
            1_800_000_000_000L,
            Map.of("etcd", "UP", "postgres", "DEGRADED: connection refused"),
            12_345,
            Map.of("frames.in", 10L, "frames.bad", 0L)),
        new PeersReply(4, List.of(peer)),
        new TestByzantineReply(5, "double-vote", "tx-1", "sent 1 and 2", List.of(violation)),
        new MonitorSnapshot(
            7,
            1,
            1_700_000_000_000L,
            Map.of("etcd", "UP"),
            Map.of("votes", 3L),
            List.of(peer),
            List.of(new TxSummary("tx-1", "COLLECTING", 2, "7", 1_700_000_000_000L)),
            List.of(violation)),
        new UnbanReply(8, 3, true, 0.5),
        new ErrorReply(9, ErrorReply.INVALID_ARGUMENT, "tx id must not be empty"));
  }
}
