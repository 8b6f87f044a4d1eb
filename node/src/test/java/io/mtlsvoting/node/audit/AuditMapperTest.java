package io.mtlsvoting.node.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mtlsvoting.node.tally.TallyEvent;
import io.mtlsvoting.persistence.audit.AuditRow;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The evidence and certificate JSON of the audit trail, character for character: compact, unsigned
 * values as exact numbers, signatures in hex, strings escaped.
 */
class AuditMapperTest {

  static final long MAX_U64 = -1L;

  static Vote vote(String tx, int node, long value) {
    return new Vote(
        tx, node, value, 1_800_000_000_000L + node, new byte[] {(byte) 0xab, 1, (byte) node});
  }

  static String vote(int node, String value) {
    return "{\"txId\":\"t\\\"x\",\"nodeId\":"
        + node
        + ",\"value\":"
        + value
        + ",\"issuedAt\":"
        + (1_800_000_000_000L + node)
        + ",\"signature\":\"ab010"
        + node
        + "\"}";
  }

  @Test
  void doubleVoteEvidenceHoldsBothVotes() {
    List<AuditRow> rows =
        AuditMapper.rows(
            1,
            10,
            new TallyEvent.DoubleVoteDetected(
                "t\"x", 2, vote("t\"x", 2, 5), vote("t\"x", 2, MAX_U64), 3));
    assertEquals(
        "{\"first\":"
            + vote(2, "5")
            + ",\"second\":"
            + vote(2, "18446744073709551615")
            + ",\"reportedBy\":3}",
        ((AuditRow.ViolationRow) rows.get(0)).evidenceJson());
    assertEquals(3, rows.size());
  }

  @Test
  void otherViolationsEvidence() {
    assertEquals(
        "{\"vote\":" + vote(4, "7") + ",\"reason\":\"bad \\n sig\"}",
        evidence(
            new TallyEvent.InvalidSignatureDetected("t\"x", 4, vote("t\"x", 4, 7), "bad \n sig")));
    assertEquals(
        "{\"vote\":" + vote(4, "7") + ",\"decidedValue\":18446744073709551615}",
        evidence(new TallyEvent.MinorityVoteDetected("t\"x", 4, vote("t\"x", 4, 7), MAX_U64)));
    assertEquals(
        "{\"deadline\":\"2027-01-15T08:00:00.123Z\",\"deadlineMillis\":1800000000123}",
        evidence(new TallyEvent.SilentFailureDetected("t\"x", 5, 1_800_000_000_123L)));
  }

  @Test
  void certificateHoldsItsVotes() {
    QuorumCertificate qc =
        new QuorumCertificate(
            "cluster",
            "t\"x",
            MAX_U64,
            List.of(vote("t\"x", 1, MAX_U64), vote("t\"x", 3, MAX_U64)));
    AuditRow.TxStateRow row =
        (AuditRow.TxStateRow)
            AuditMapper.rows(1, 11, new TallyEvent.ThresholdReached("t\"x", qc)).get(0);
    assertEquals(
        "{\"clusterId\":\"cluster\",\"txId\":\"t\\\"x\",\"value\":18446744073709551615,\"votes\":["
            + vote(1, "18446744073709551615")
            + ","
            + vote(3, "18446744073709551615")
            + "]}",
        row.certificateJson());
    assertEquals(MAX_U64, row.value());
  }

  private static String evidence(TallyEvent event) {
    return ((AuditRow.ViolationRow) AuditMapper.rows(1, 10, event).get(0)).evidenceJson();
  }
}
