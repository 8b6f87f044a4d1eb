package io.mtlsvoting.node.cli;

import io.mtlsvoting.protocol.ClientReply;
import io.mtlsvoting.protocol.ErrorReply;
import io.mtlsvoting.protocol.InfoReply;
import io.mtlsvoting.protocol.InfoRequest;
import io.mtlsvoting.protocol.StatusReply;
import io.mtlsvoting.protocol.StatusRequest;
import io.mtlsvoting.protocol.SubmitVoteReply;
import io.mtlsvoting.protocol.SubmitVoteRequest;
import io.mtlsvoting.protocol.TestByzantineReply;
import io.mtlsvoting.protocol.TestByzantineRequest;
import io.mtlsvoting.protocol.TxIds;
import io.mtlsvoting.protocol.ViolationView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code test-byzantine}: makes a node started with {@code byzantine-testing = on} really
 * misbehave, has the other nodes vote honestly so the scenario completes, then asks every peer what
 * it detected.
 */
@Command(
    name = "test-byzantine",
    mixinStandardHelpOptions = true,
    description = {
      "Run a real attack from --node (started with byzantine-testing = on), let the other nodes",
      "vote honestly, then print what each peer detected, with evidence. Exit 0 when every",
      "reachable peer detected the violation."
    })
final class TestByzantineCommand extends ClientCommand {
  /** The value the honest nodes vote (the attacks are built around it). */
  static final long HONEST_VALUE = 1L;

  private static final Map<String, String> EXPECTED =
      Map.of(
          TestByzantineRequest.DOUBLE_VOTE, "DOUBLE_VOTING",
          TestByzantineRequest.MINORITY_ATTACK, "MINORITY_VOTE",
          TestByzantineRequest.INVALID_SIGNATURE, "INVALID_SIGNATURE",
          TestByzantineRequest.SILENT, "SILENT_FAILURE");

  @Option(
      names = "--test-type",
      required = true,
      paramLabel = "TYPE",
      description = "double-vote, minority-attack, invalid-signature or silent")
  String testType;

  @Option(
      names = "--tx-id",
      paramLabel = "T",
      description = "Transaction to attack (default: a fresh byz-<type>-<millis>)")
  String txId;

  @Option(
      names = "--timeout",
      paramLabel = "S",
      defaultValue = "60",
      description = "Seconds to wait for the peers' detections (default: ${DEFAULT-VALUE})")
  long timeoutSeconds;

  @Override
  int execute() {
    String expected = EXPECTED.get(testType);
    if (expected == null) {
      throw CliFailure.usage(
          "unknown --test-type '" + testType + "'; use " + new TreeMap<>(EXPECTED).keySet());
    }
    if (txId != null) {
      TxIds.validate(txId);
    }
    NodeAddress attacker = options.target();
    if (attacker.nodeId().isEmpty()) {
      throw CliFailure.usage("--node must name a member id for test-byzantine");
    }
    int attackerId = attacker.nodeId().getAsInt();
    InfoReply info =
        request(
            attacker,
            new InfoRequest(ControlClient.nextRequestId()),
            InfoReply.class,
            DEFAULT_TIMEOUT);
    TestByzantineReply attack =
        request(
            attacker,
            new TestByzantineRequest(ControlClient.nextRequestId(), testType, txId),
            TestByzantineReply.class,
            DEFAULT_TIMEOUT);
    String tx = attack.txId();
    say("attack on tx %s: %s", tx, attack.performed());

    List<NodeAddress> peers = new ArrayList<>();
    options.cluster().members().keySet().stream()
        .filter(id -> id != attackerId)
        .forEach(id -> peers.add(options.cluster().node(id)));
    Map<Integer, String> problems = new TreeMap<>();
    for (NodeAddress peer : peers) {
      try {
        request(
            peer,
            new SubmitVoteRequest(ControlClient.nextRequestId(), tx, HONEST_VALUE, false, 0),
            SubmitVoteReply.class,
            DEFAULT_TIMEOUT);
        say("honest vote: %s voted %d", peer.describe(), HONEST_VALUE);
      } catch (CliFailure e) {
        problems.put(peer.nodeId().getAsInt(), e.getMessage());
        err().println("mtls-voting test-byzantine: " + e.getMessage());
      }
    }
    Duration wait = Duration.ofSeconds(timeoutSeconds);
    if (TestByzantineRequest.SILENT.equals(testType)) {
      Duration voteTimeout = Duration.ofMillis(info.voteTimeoutMillis());
      say(
          "waiting for the vote-timeout (%ds after the first vote) to pass, so the peers can"
              + " declare node %d silent...",
          voteTimeout.toSeconds(), attackerId);
      wait = wait.plus(voteTimeout);
    }
    Map<Integer, List<ViolationView>> detected =
        awaitDetections(peers, tx, attackerId, expected, wait, problems);
    return report(tx, attack, attackerId, expected, detected, problems);
  }

  private Map<Integer, List<ViolationView>> awaitDetections(
      List<NodeAddress> peers,
      String tx,
      int attackerId,
      String expected,
      Duration wait,
      Map<Integer, String> problems) {
    Map<Integer, List<ViolationView>> detected = new TreeMap<>();
    long deadline = System.nanoTime() + wait.toNanos();
    for (NodeAddress peer : peers) {
      int id = peer.nodeId().getAsInt();
      if (problems.containsKey(id)) {
        continue;
      }
      while (true) {
        List<ViolationView> found = detectionsAt(peer, tx, attackerId, expected, problems);
        if (!found.isEmpty()) {
          detected.put(id, found);
          problems.remove(id);
          break;
        }
        if (System.nanoTime() > deadline) {
          problems.putIfAbsent(
              id,
              "detected no "
                  + expected
                  + " by node "
                  + attackerId
                  + " within "
                  + wait.toSeconds()
                  + "s");
          break;
        }
        pause();
      }
    }
    return detected;
  }

  private List<ViolationView> detectionsAt(
      NodeAddress peer, String tx, int attackerId, String expected, Map<Integer, String> problems) {
    ClientReply reply;
    try (ControlClient client = options.connect(peer)) {
      reply = client.call(new StatusRequest(ControlClient.nextRequestId(), tx), DEFAULT_TIMEOUT);
    } catch (CliFailure e) {
      problems.put(peer.nodeId().getAsInt(), e.getMessage());
      return List.of();
    }
    if (reply instanceof ErrorReply e) {
      problems.put(peer.nodeId().getAsInt(), e.code() + ": " + e.message());
      return List.of();
    }
    StatusReply s = expect(peer, reply, StatusReply.class);
    return s.violations().stream()
        .filter(v -> v.offenderNodeId() == attackerId && v.type().equals(expected))
        .toList();
  }

  private static void pause() {
    try {
      Thread.sleep(250);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliFailure.failed("interrupted");
    }
  }

  private int report(
      String tx,
      TestByzantineReply attack,
      int attackerId,
      String expected,
      Map<Integer, List<ViolationView>> detected,
      Map<Integer, String> problems) {
    if (options.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("testType", testType);
      json.put("txId", tx);
      json.put("attacker", attackerId);
      json.put("performed", attack.performed());
      json.put("expected", expected);
      json.put("detections", detected);
      json.put("missing", problems);
      printJson(json);
    } else {
      out().printf("detections of %s by node %d on tx %s:%n", expected, attackerId, tx);
      detected.forEach(
          (id, list) ->
              list.forEach(
                  v -> out().printf("  node %d detected %s: %s%n", id, v.type(), v.detail())));
      problems.forEach((id, why) -> out().printf("  node %d: NOT DETECTED: %s%n", id, why));
    }
    out().flush();
    return problems.isEmpty() && !detected.isEmpty() ? 0 : CliFailure.FAILED;
  }

  private void say(String format, Object... args) {
    if (!options.json) {
      out().printf(format + "%n", args);
      out().flush();
    } else {
      err().printf(format + "%n", args);
      err().flush();
    }
  }
}
