package io.mtlsvoting.persistence.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The JSON this client itself writes to etcd (config, members), plus the QC "same value" test. */
final class EtcdJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EtcdJson() {}

  static String config(ClusterConfigRecord c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("clusterId", c.clusterId());
    o.put("protocolVersion", c.protocolVersion());
    o.put("totalNodes", c.totalNodes());
    o.put("threshold", c.threshold());
    ArrayNode ids = o.putArray("memberIds");
    c.memberIds().forEach(ids::add);
    return o.toString();
  }

  static ClusterConfigRecord parseConfig(String json) {
    JsonNode o = readObject(json);
    List<Integer> ids = new ArrayList<>();
    JsonNode arr = o.get("memberIds");
    if (arr == null || !arr.isArray()) {
      throw new IllegalArgumentException("memberIds is missing or not an array");
    }
    arr.forEach(n -> ids.add(intField(n, "memberIds[]")));
    return new ClusterConfigRecord(
        textField(o, "clusterId"),
        intField(o.get("protocolVersion"), "protocolVersion"),
        intField(o.get("totalNodes"), "totalNodes"),
        intField(o.get("threshold"), "threshold"),
        ids);
  }

  static String member(MemberInfo m) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("address", m.address());
    o.put("certificateFingerprint", m.certificateFingerprint());
    o.put("startedAt", m.startedAt().toString());
    return o.toString();
  }

  static MemberInfo parseMember(String json) {
    JsonNode o = readObject(json);
    try {
      return new MemberInfo(
          textField(o, "address"),
          textField(o, "certificateFingerprint"),
          Instant.parse(textField(o, "startedAt")));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("startedAt is not an ISO-8601 instant", e);
    }
  }

  static boolean sameValueField(String stored, String mine) {
    if (stored.equals(mine)) {
      return true;
    }
    Optional<String> a = valueField(stored);
    Optional<String> b = valueField(mine);
    return a.isPresent() && a.equals(b);
  }

  private static Optional<String> valueField(String json) {
    JsonNode o;
    try {
      o = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (o == null || !o.isObject()) {
      return Optional.empty();
    }
    JsonNode v = o.get("value");
    if (v == null) {
      return Optional.empty();
    }
    if (v.isIntegralNumber()) {
      return Optional.of(v.bigIntegerValue().toString());
    }
    if (v.isTextual()) {
      return Optional.of(v.textValue());
    }
    return v.isNull() ? Optional.empty() : Optional.of(v.toString());
  }

  private static JsonNode readObject(String json) {
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

  private static String textField(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(name + " is missing or not a string");
    }
    return v.textValue();
  }

  private static int intField(JsonNode v, String name) {
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(name + " is missing or not an integer");
    }
    return v.intValue();
  }
}
