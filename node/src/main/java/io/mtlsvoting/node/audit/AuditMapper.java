package io.mtlsvoting.node.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mtlsvoting.node.tally.ReputationEvent;
import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.persistence.audit.AuditRow;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Maps one journaled tally or reputation event of node {@code observedBy} to audit rows. Evidence
 * and certificates become JSON with unsigned values as exact numbers and hex signatures.
 */
final class AuditMapper {

  private static final ObjectMapper json = new ObjectMapper();
  private static final HexFormat hex = HexFormat.of();

  private AuditMapper() {}

  /** Rows for {@code event}; none for events the audit trail does not record. */
  static List<AuditRow> rows(int observedBy, long ordering, Object event) {
    if (event instanceof TallyEvent e) {
      return tallyRows(observedBy, ordering, e);
    }
    if (event instanceof ReputationEvent e) {
      return reputationRows(observedBy, ordering, e);
    }
    return List.of();
  }

  private static List<AuditRow> tallyRows(int by, long ord, TallyEvent event) {
    if (event instanceof TallyEvent.Opened e) {
      return List.of(
          new AuditRow.TxOpenedRow(
              by,
              ord,
              e.txId(),
              Instant.ofEpochMilli(e.openedAt()),
              Instant.ofEpochMilli(e.deadline())));
    } else if (event instanceof TallyEvent.VoteCounted e) {
      return List.of(vote(by, ord, e.vote(), true));
    } else if (event instanceof TallyEvent.DoubleVoteDetected e) {
      ObjectNode evidence = json.createObjectNode();
      evidence.set("first", vote(e.first()));
      evidence.set("second", vote(e.second()));
      evidence.put("reportedBy", e.reportedBy());
      return List.of(
          violation(by, ord, e, evidence),
          vote(by, ord, e.first(), false),
          vote(by, ord, e.second(), false));
    } else if (event instanceof TallyEvent.InvalidSignatureDetected e) {
      ObjectNode evidence = json.createObjectNode();
      evidence.set("vote", vote(e.rawVote()));
      evidence.put("reason", e.reason());
      return List.of(violation(by, ord, e, evidence));
    } else if (event instanceof TallyEvent.MinorityVoteDetected e) {
      ObjectNode evidence = json.createObjectNode();
      evidence.set("vote", vote(e.vote()));
      evidence.put("decidedValue", unsigned(e.decidedValue()));
      return List.of(violation(by, ord, e, evidence));
    } else if (event instanceof TallyEvent.SilentFailureDetected e) {
      ObjectNode evidence = json.createObjectNode();
      evidence.put("deadline", Instant.ofEpochMilli(e.deadline()).toString());
      evidence.put("deadlineMillis", e.deadline());
      return List.of(violation(by, ord, e, evidence));
    } else if (event instanceof TallyEvent.ThresholdReached e) {
      QuorumCertificate qc = e.certificate();
      return List.of(
          new AuditRow.TxStateRow(
              by, ord, e.txId(), "THRESHOLD_REACHED", true, qc.value(), certificate(qc), null));
    } else if (event instanceof TallyEvent.Aborted e) {
      return List.of(
          new AuditRow.TxStateRow(
              by, ord, e.txId(), e.outcome().name(), false, 0L, null, e.reason()));
    } else if (event instanceof TallyEvent.Committed e) {
      return List.of(
          new AuditRow.TxStateRow(by, ord, e.txId(), "COMMITTED", true, e.value(), null, null));
    } else if (event instanceof TallyEvent.SafetyAlarm e) {
      String alarm =
          "decided "
              + Long.toUnsignedString(e.localValue())
              + " but etcd holds "
              + Long.toUnsignedString(e.storedValue());
      return List.of(new AuditRow.SafetyAlarmRow(by, ord, e.txId(), alarm));
    }
    // DeadlineReached and BannedVoterExcluded change no audit row: the silent failures, abort and
    // ban they go with are events of their own.
    return List.of();
  }

  private static List<AuditRow> reputationRows(int by, long ord, ReputationEvent event) {
    if (event instanceof ReputationEvent.ScoreChanged e) {
      return List.of(new AuditRow.ScoreRow(by, ord, e.nodeId(), e.scoreMillis() / 1000.0));
    } else if (event instanceof ReputationEvent.Banned e) {
      String reason = e.cause() + " in tx " + e.txId() + ": " + e.reason();
      return List.of(new AuditRow.BanRow(by, ord, e.nodeId(), true, reason));
    } else if (event instanceof ReputationEvent.Unbanned e) {
      return List.of(
          new AuditRow.BanRow(by, ord, e.nodeId(), false, null),
          new AuditRow.ScoreRow(by, ord, e.nodeId(), e.scoreMillis() / 1000.0));
    }
    return List.of();
  }

  private static AuditRow.VoteRow vote(int by, long ord, Vote v, boolean counted) {
    return new AuditRow.VoteRow(
        by,
        ord,
        v.txId(),
        v.nodeId(),
        v.value(),
        Instant.ofEpochMilli(v.issuedAt()),
        v.signature(),
        counted);
  }

  private static AuditRow.ViolationRow violation(
      int by, long ord, TallyEvent.Violation v, ObjectNode evidence) {
    return new AuditRow.ViolationRow(
        by, ord, v.txId(), v.nodeId(), v.type().name(), evidence.toString());
  }

  private static ObjectNode vote(Vote v) {
    ObjectNode n = json.createObjectNode();
    n.put("txId", v.txId());
    n.put("nodeId", v.nodeId());
    n.put("value", unsigned(v.value()));
    n.put("issuedAt", v.issuedAt());
    n.put("signature", hex.formatHex(v.signature()));
    return n;
  }

  private static String certificate(QuorumCertificate qc) {
    ObjectNode n = json.createObjectNode();
    n.put("clusterId", qc.clusterId());
    n.put("txId", qc.txId());
    n.put("value", unsigned(qc.value()));
    ArrayNode votes = n.putArray("votes");
    qc.votes().forEach(v -> votes.add(vote(v)));
    return n.toString();
  }

  private static BigInteger unsigned(long value) {
    return new BigInteger(Long.toUnsignedString(value));
  }
}
