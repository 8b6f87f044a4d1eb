package io.mtlsvoting.protocol;

import io.mtlsvoting.protocol.DecodeException.Kind;
import java.util.List;
import java.util.regex.Pattern;

/** Semantic checks applied to every decoded message; failures are {@code INVALID_VALUE}. */
final class MessageValidator {
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final int MAX_CLUSTER_ID = 255;
  private static final int SIGNATURE_BYTES = 64;

  private MessageValidator() {}

  static void validate(Message m) throws DecodeException {
    if (m instanceof Hello h) {
      check(h.protocolVersion() >= 1, "protocolVersion must be >= 1");
      check(
          !h.clusterId().isEmpty() && h.clusterId().length() <= MAX_CLUSTER_ID,
          "clusterId must be 1.." + MAX_CLUSTER_ID + " characters");
      check(h.nodeId() > 0, "nodeId must be positive");
      check(HEX64.matcher(h.configHash()).matches(), "configHash must be 64 lower-case hex");
    } else if (m instanceof Vote v) {
      vote(v);
    } else if (m instanceof Echo e) {
      vote(e.vote());
    } else if (m instanceof VoteRequest r) {
      txId(r.txId());
    } else if (m instanceof Evidence e) {
      vote(e.first());
      vote(e.second());
      check(
          e.first().txId().equals(e.second().txId()) && e.first().nodeId() == e.second().nodeId(),
          "evidence votes must be by the same node for the same tx");
      check(e.first().value() != e.second().value(), "evidence votes must differ in value");
    } else if (m instanceof SubmitVoteRequest r) {
      txId(r.txId());
      check(r.waitMillis() >= 0, "waitMillis must not be negative");
    } else if (m instanceof StatusRequest r) {
      txId(r.txId());
    } else if (m instanceof TestByzantineRequest r) {
      check(
          TestByzantineRequest.TEST_TYPES.contains(r.testType()),
          "testType must be one of double-vote, minority-attack, invalid-signature, silent");
      if (!r.txId().isEmpty()) {
        txId(r.txId());
      }
    } else if (m instanceof UnbanRequest r) {
      check(r.nodeId() > 0, "nodeId must be positive");
    } else if (m instanceof SubmitVoteReply r) {
      vote(r.vote());
      votes(r.certificate());
    } else if (m instanceof StatusReply r) {
      votes(r.certificate());
    }
  }

  private static void votes(List<Vote> votes) throws DecodeException {
    for (Vote v : votes) {
      vote(v);
    }
  }

  private static void vote(Vote v) throws DecodeException {
    txId(v.txId());
    check(v.nodeId() > 0, "vote nodeId must be positive");
    check(v.signatureLength() == SIGNATURE_BYTES, "vote signature must be 64 bytes");
  }

  private static void txId(String txId) throws DecodeException {
    if (!TxIds.isValid(txId)) {
      try {
        TxIds.validate(txId);
      } catch (InvalidInputException e) {
        throw new DecodeException(Kind.INVALID_VALUE, e.getMessage());
      }
    }
  }

  private static void check(boolean ok, String message) throws DecodeException {
    if (!ok) {
      throw new DecodeException(Kind.INVALID_VALUE, message);
    }
  }
}
