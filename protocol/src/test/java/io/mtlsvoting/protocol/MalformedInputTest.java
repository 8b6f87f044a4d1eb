package io.mtlsvoting.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.mtlsvoting.protocol.DecodeException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every {@link Kind} of refusal, each produced by a crafted frame. */
class MalformedInputTest {
  private static final CBORMapper LOOSE = new CBORMapper();

  static Stream<Arguments> cases() {
    return Stream.of(
        row("empty frame", new byte[0], Kind.EMPTY),
        row("one byte over the limit", new byte[Frames.DEFAULT_MAX_FRAME_BYTES + 1], Kind.OVERSIZE),
        row("break byte alone", new byte[] {(byte) 0xff}, Kind.MALFORMED),
        row("reserved additional info", new byte[] {(byte) 0x1c}, Kind.MALFORMED),
        row("truncated vote", truncated(MessageCodec.encode(Samples.vote(1, 5))), Kind.MALFORMED),
        row("nested 10000 arrays", deepArrays(10_000), Kind.MALFORMED),
        row("duplicate key", duplicateKey(), Kind.MALFORMED),
        row(
            "unknown type name",
            cbor(map("type", "launch-missiles", "nonce", 1)),
            Kind.UNKNOWN_TYPE),
        row("missing type", cbor(map("nonce", 1, "sentAtNanos", 2)), Kind.UNKNOWN_TYPE),
        row("missing primitive field", cbor(map("type", "ping", "nonce", 1)), Kind.MISSING_FIELD),
        row(
            "null primitive",
            cbor(map("type", "ping", "nonce", null, "sentAtNanos", 2)),
            Kind.MISSING_FIELD),
        row("missing string field", cbor(hello("clusterId", null, true)), Kind.MISSING_FIELD),
        row("null string field", cbor(hello("clusterId", null, false)), Kind.MISSING_FIELD),
        row(
            "unknown field",
            cbor(map("type", "ping", "nonce", 1, "sentAtNanos", 2, "x", 3)),
            Kind.UNKNOWN_FIELD),
        row(
            "string for long",
            cbor(map("type", "ping", "nonce", "1", "sentAtNanos", 2)),
            Kind.WRONG_TYPE),
        row(
            "float for long",
            cbor(map("type", "ping", "nonce", 1.5, "sentAtNanos", 2)),
            Kind.WRONG_TYPE),
        row("int for string", cbor(hello("clusterId", 7, false)), Kind.WRONG_TYPE),
        row("bytes for string", cbor(hello("clusterId", new byte[] {65}, false)), Kind.WRONG_TYPE),
        row("int overflow", cbor(hello("nodeId", 1L << 40, false)), Kind.WRONG_TYPE),
        row("text for signature", cbor(vote("signature", "AAAA")), Kind.WRONG_TYPE),
        row("int for boolean", cbor(submit("awaitDecision", 1)), Kind.WRONG_TYPE),
        row("root is an array", cbor(new int[] {1, 2}), Kind.WRONG_TYPE),
        row("root is null", new byte[] {(byte) 0xf6}, Kind.WRONG_TYPE),
        row("root is a number", new byte[] {0x01}, Kind.WRONG_TYPE),
        row("bad tx id", cbor(vote("txId", "has space")), Kind.INVALID_VALUE),
        row("empty tx id", cbor(vote("txId", "")), Kind.INVALID_VALUE),
        row(
            "bad tx id in a vote request",
            cbor(map("type", "vote-request", "txId", "a/b")),
            Kind.INVALID_VALUE),
        row("vote request without tx id", cbor(map("type", "vote-request")), Kind.MISSING_FIELD),
        row("node id zero", cbor(vote("nodeId", 0)), Kind.INVALID_VALUE),
        row("short signature", cbor(vote("signature", new byte[63])), Kind.INVALID_VALUE),
        row("bad config hash", cbor(hello("configHash", "abc", false)), Kind.INVALID_VALUE),
        row(
            "unknown test type",
            cbor(map("type", "test-byzantine", "requestId", 1, "testType", "nuke", "txId", "")),
            Kind.INVALID_VALUE),
        row(
            "evidence with equal values",
            MessageCodec.encode(new Evidence(Samples.vote(3, 1), Samples.vote(3, 1))),
            Kind.INVALID_VALUE),
        row(
            "null in a list",
            cbor(map("type", "peers-reply", "requestId", 1, "peers", Arrays.asList((Object) null))),
            Kind.INVALID_VALUE),
        row(
            "second message appended",
            concat(MessageCodec.encode(new Ping(1, 2)), MessageCodec.encode(new Ping(1, 2))),
            Kind.TRAILING_BYTES),
        row(
            "garbage appended",
            concat(MessageCodec.encode(new Ping(1, 2)), new byte[] {(byte) 0xff}),
            Kind.TRAILING_BYTES));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("cases")
  void refusedWithKind(String name, byte[] frame, Kind expected) {
    DecodeException e = assertThrows(DecodeException.class, () -> MessageCodec.decode(frame));
    assertEquals(expected, e.kind(), () -> name + ": " + e.getMessage());
  }

  private static Arguments row(String name, byte[] frame, Kind kind) {
    return Arguments.of(name, frame, kind);
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  /** A valid Hello map with one field replaced (or removed). */
  private static Map<String, Object> hello(String field, Object value, boolean remove) {
    Map<String, Object> m =
        map(
            "type",
            "hello",
            "protocolVersion",
            1,
            "clusterId",
            "c",
            "nodeId",
            1,
            "configHash",
            Samples.HASH);
    if (remove) {
      m.remove(field);
    } else {
      m.put(field, value);
    }
    return m;
  }

  private static Map<String, Object> vote(String field, Object value) {
    Map<String, Object> m =
        map(
            "type",
            "vote",
            "txId",
            "tx-1",
            "nodeId",
            1,
            "value",
            5,
            "issuedAt",
            9,
            "signature",
            new byte[64]);
    m.put(field, value);
    return m;
  }

  private static Map<String, Object> submit(String field, Object value) {
    Map<String, Object> m =
        map(
            "type",
            "submit-vote",
            "requestId",
            1,
            "txId",
            "tx-1",
            "value",
            5,
            "awaitDecision",
            false,
            "waitMillis",
            0);
    m.put(field, value);
    return m;
  }

  static byte[] cbor(Object value) {
    try {
      return LOOSE.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] truncated(byte[] b) {
    return Arrays.copyOf(b, b.length - 3);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** {"x": [[[...0...]]], "type": "ping"}: the type comes last, so the nesting gets buffered. */
  private static byte[] deepArrays(int depth) {
    byte[] nested = new byte[depth + 1];
    Arrays.fill(nested, 0, depth, (byte) 0x81); // array of one element, nested
    byte[] head = {(byte) 0xa2, 0x61, 'x'};
    byte[] tail = {0x64, 't', 'y', 'p', 'e', 0x64, 'p', 'i', 'n', 'g'};
    return concat(concat(head, nested), tail);
  }

  private static byte[] duplicateKey() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (CBORGenerator g = new CBORFactory().createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("type", "ping");
        g.writeNumberField("nonce", 1);
        g.writeNumberField("nonce", 2);
        g.writeNumberField("sentAtNanos", 3);
        g.writeEndObject();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
