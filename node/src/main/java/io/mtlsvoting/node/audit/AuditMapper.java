package io.mtlsvoting.node.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.mtlsvoting.node.tally.ReputationEvent;
import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.persistence.audit.AuditRow;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * Maps one journaled tally or reputation event of node {@code observedBy} to audit rows. Evidence
 * and certificates become compact JSON with unsigned values as exact numbers and hex signatures,
 * streamed by one shared (thread-safe) factory rather than built as trees.
 */
final class AuditMapper {

  private static final JsonFactory json = new JsonFactory();
  private static final HexFormat hex = HexFormat.of();

  /** Writes the fields of one JSON object. */
  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator g) throws IOException;
  }

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
      String evidence =
          object(
              g -> {
                g.writeFieldName("first");
                vote(g, e.first());
                g.writeFieldName("second");
                vote(g, e.second());
                g.writeNumberField("reportedBy", e.reportedBy());
              });
      return List.of(
          violation(by, ord, e, evidence),
          vote(by, ord, e.first(), false),
          vote(by, ord, e.second(), false));
    } else if (event instanceof TallyEvent.InvalidSignatureDetected e) {
      String evidence =
          object(
              g -> {
                g.writeFieldName("vote");
                vote(g, e.rawVote());
                g.writeStringField("reason", e.reason());
              });
      return List.of(violation(by, ord, e, evidence));
    } else if (event instanceof TallyEvent.MinorityVoteDetected e) {
      String evidence =
          object(
              g -> {
                g.writeFieldName("vote");
                vote(g, e.vote());
                g.writeFieldName("decidedValue");
                g.writeNumber(Long.toUnsignedString(e.decidedValue()));
              });
      return List.of(violation(by, ord, e, evidence));
    } else if (event instanceof TallyEvent.SilentFailureDetected e) {
      String evidence =
          object(
              g -> {
                g.writeStringField("deadline", Instant.ofEpochMilli(e.deadline()).toString());
                g.writeNumberField("deadlineMillis", e.deadline());
              });
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
      int by, long ord, TallyEvent.Violation v, String evidenceJson) {
    return new AuditRow.ViolationRow(by, ord, v.txId(), v.nodeId(), v.type().name(), evidenceJson);
  }

  private static void vote(JsonGenerator g, Vote v) throws IOException {
    g.writeStartObject();
    g.writeStringField("txId", v.txId());
    g.writeNumberField("nodeId", v.nodeId());
    g.writeFieldName("value");
    g.writeNumber(Long.toUnsignedString(v.value()));
    g.writeNumberField("issuedAt", v.issuedAt());
    g.writeStringField("signature", hex.formatHex(v.signature()));
    g.writeEndObject();
  }

  private static String certificate(QuorumCertificate qc) {
    return object(
        g -> {
          g.writeStringField("clusterId", qc.clusterId());
          g.writeStringField("txId", qc.txId());
          g.writeFieldName("value");
          g.writeNumber(Long.toUnsignedString(qc.value()));
          g.writeArrayFieldStart("votes");
          for (Vote v : qc.votes()) {
            vote(g, v);
          }
          g.writeEndArray();
        });
  }

  /** One JSON object with {@code fields}, compact. */
  private static String object(Fields fields) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      fields.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write audit JSON", e);
    }
    return out.toString();
  }
}
