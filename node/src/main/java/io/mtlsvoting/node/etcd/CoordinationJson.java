package io.mtlsvoting.node.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mtlsvoting.node.tally.ViolationType;
import io.mtlsvoting.protocol.QuorumCertificate;
import io.mtlsvoting.protocol.UnsignedValues;
import io.mtlsvoting.protocol.Vote;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The JSON this node writes under {@code consensus/<tx_id>} and {@code banned/<id>}, readable with
 * {@code etcdctl get}: values as unsigned decimal strings, signatures as hex, times as ISO-8601.
 * Parsing is strict and fails with {@link IllegalArgumentException} naming the field.
 */
public final class CoordinationJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  private CoordinationJson() {}

  /**
   * {@code {"clusterId", "txId", "value": "<unsigned>", "votes": [{"nodeId", "txId", "value",
   * "issuedAt", "signature": "<hex>"}]}}.
   */
  public static String certificate(QuorumCertificate qc) {
    Objects.requireNonNull(qc, "qc");
    ObjectNode o = MAPPER.createObjectNode();
    o.put("clusterId", qc.clusterId());
    o.put("txId", qc.txId());
    o.put("value", UnsignedValues.format(qc.value()));
    ArrayNode votes = o.putArray("votes");
    qc.votes().forEach(v -> votes.add(vote(v)));
    return o.toString();
  }

  /** Parses {@link #certificate} output back; the result still has to be verified. */
  public static QuorumCertificate parseCertificate(String json) {
    JsonNode o = readObject(json);
    return new QuorumCertificate(
        text(o, "clusterId"), text(o, "txId"), unsigned(o, "value"), votes(o.get("votes")));
  }

  /**
   * The decided value of a stored consensus record, if it has a readable {@code value} field (a
   * decimal string, or a JSON integer from another writer).
   */
  public static OptionalLong storedValue(String json) {
    try {
      return OptionalLong.of(unsigned(readObject(json), "value"));
    } catch (IllegalArgumentException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * {@code {"nodeId", "violation", "txId", "reason", "bannedBy", "bannedAt", "evidence": {"votes":
   * [...]}}}.
   */
  public static String ban(BanRecord ban) {
    Objects.requireNonNull(ban, "ban");
    ObjectNode o = MAPPER.createObjectNode();
    o.put("nodeId", ban.nodeId());
    o.put("violation", ban.violation().name());
    o.put("txId", ban.txId());
    o.put("reason", ban.reason());
    o.put("bannedBy", ban.bannedBy());
    o.put("bannedAt", ban.bannedAt().toString());
    ArrayNode votes = o.putObject("evidence").putArray("votes");
    ban.evidence().forEach(v -> votes.add(vote(v)));
    return o.toString();
  }

  /** Parses {@link #ban} output back; the evidence still has to be verified. */
  public static BanRecord parseBan(String json) {
    JsonNode o = readObject(json);
    ViolationType type;
    try {
      type = ViolationType.valueOf(text(o, "violation"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("violation is not one of the known types", e);
    }
    Instant at;
    try {
      at = Instant.parse(text(o, "bannedAt"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("bannedAt is not an ISO-8601 instant", e);
    }
    JsonNode evidence = o.get("evidence");
    List<Vote> votes = evidence == null ? List.of() : votes(evidence.get("votes"));
    return new BanRecord(
        integer(o.get("nodeId"), "nodeId"),
        type,
        text(o, "txId"),
        text(o, "reason"),
        integer(o.get("bannedBy"), "bannedBy"),
        at,
        votes);
  }

  private static ObjectNode vote(Vote v) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("nodeId", v.nodeId());
    o.put("txId", v.txId());
    o.put("value", UnsignedValues.format(v.value()));
    o.put("issuedAt", v.issuedAt());
    o.put("signature", HEX.formatHex(v.signature()));
    return o;
  }

  private static List<Vote> votes(JsonNode arr) {
    if (arr == null || !arr.isArray()) {
      throw new IllegalArgumentException("votes is missing or not an array");
    }
    List<Vote> out = new ArrayList<>();
    for (JsonNode v : arr) {
      if (!v.isObject()) {
        throw new IllegalArgumentException("votes[] entry is not an object");
      }
      JsonNode issued = v.get("issuedAt");
      if (issued == null || !issued.isIntegralNumber() || !issued.canConvertToLong()) {
        throw new IllegalArgumentException("votes[].issuedAt is missing or not an integer");
      }
      byte[] signature;
      try {
        signature = HEX.parseHex(text(v, "signature"));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("votes[].signature is not hex", e);
      }
      out.add(
          new Vote(
              text(v, "txId"),
              integer(v.get("nodeId"), "votes[].nodeId"),
              unsigned(v, "value"),
              issued.longValue(),
              signature));
    }
    return List.copyOf(out);
  }

  private static JsonNode readObject(String json) {
    Objects.requireNonNull(json, "json");
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    }
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    return o;
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(field + " is missing or not a string");
    }
    return v.textValue();
  }

  private static long unsigned(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v != null && v.isIntegralNumber()) {
      return UnsignedValues.parse(v.bigIntegerValue().toString());
    }
    return UnsignedValues.parse(text(o, field));
  }

  private static int integer(JsonNode v, String field) {
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException(field + " is missing or not an integer");
    }
    return v.intValue();
  }
}
