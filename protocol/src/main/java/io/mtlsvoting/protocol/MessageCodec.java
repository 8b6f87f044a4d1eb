package io.mtlsvoting.protocol;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.mtlsvoting.protocol.DecodeException.Kind;
import java.io.IOException;
import java.util.Objects;

/**
 * Encodes {@link Message}s as CBOR maps with a {@code type} name and decodes them strictly: any
 * frame that is not exactly one well-formed, well-typed, valid message yields a {@link
 * DecodeException} (never another exception). Thread-safe.
 */
public final class MessageCodec {
  private static final int MAX_NESTING = 32;
  private static final ObjectReader READER;
  private static final ObjectWriter WRITER;

  static {
    CBORFactory factory =
        CBORFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(Frames.DEFAULT_MAX_FRAME_BYTES)
                    .maxNumberLength(64)
                    .build())
            .build();
    SimpleModule strict = new SimpleModule("strict-scalars");
    strict.addDeserializer(String.class, new StrictStringDeserializer());
    strict.addDeserializer(byte[].class, new StrictBytesDeserializer());
    strict.addKeyDeserializer(String.class, new StrictKeyDeserializer());
    CBORMapper mapper =
        CBORMapper.builder(factory)
            .addModule(strict)
            .enable(
                DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
                DeserializationFeature.FAIL_ON_INVALID_SUBTYPE)
            // Trailing data is checked by requireEnd(), which also classifies undecodable tails.
            .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(
                DeserializationFeature.ACCEPT_FLOAT_AS_INT,
                DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY,
                DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS,
                DeserializationFeature.ACCEPT_EMPTY_STRING_AS_NULL_OBJECT,
                DeserializationFeature.ACCEPT_EMPTY_ARRAY_AS_NULL_OBJECT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfigDefaults(
                cfg -> {
                  cfg.setAcceptBlankAsEmpty(false);
                  for (CoercionInputShape shape : CoercionInputShape.values()) {
                    cfg.setCoercion(shape, CoercionAction.Fail);
                  }
                })
            .build();
    READER = mapper.readerFor(Message.class);
    WRITER = mapper.writerFor(Message.class);
  }

  private MessageCodec() {}

  /** The CBOR encoding of {@code m} (one frame body, without length prefix). */
  public static byte[] encode(Message m) {
    Objects.requireNonNull(m, "message");
    try {
      return WRITER.writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + m.getClass().getSimpleName(), e);
    }
  }

  /** Decodes one frame body of at most {@link Frames#DEFAULT_MAX_FRAME_BYTES}. */
  public static Message decode(byte[] payload) throws DecodeException {
    return decode(payload, Frames.DEFAULT_MAX_FRAME_BYTES);
  }

  /** Decodes one frame body of at most {@code maxFrameBytes}. */
  public static Message decode(byte[] payload, int maxFrameBytes) throws DecodeException {
    if (payload == null || payload.length == 0) {
      throw new DecodeException(Kind.EMPTY, "empty frame");
    }
    if (payload.length > maxFrameBytes) {
      throw new DecodeException(
          Kind.OVERSIZE,
          "frame of " + payload.length + " bytes exceeds the limit of " + maxFrameBytes);
    }
    CborScanner.check(payload);
    Message message;
    try (JsonParser parser = READER.createParser(payload)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new DecodeException(Kind.WRONG_TYPE, "expected a CBOR map, got " + first);
      }
      message = READER.readValue(parser);
      if (message == null) {
        throw new DecodeException(Kind.WRONG_TYPE, "expected a message map, got null");
      }
      requireEnd(parser);
    } catch (DecodeException e) {
      throw e;
    } catch (StackOverflowError e) {
      throw new DecodeException(Kind.MALFORMED, "nesting too deep");
    } catch (Exception e) {
      throw classify(e);
    }
    MessageValidator.validate(message);
    return message;
  }

  private static void requireEnd(JsonParser parser) throws DecodeException {
    JsonToken next;
    try {
      next = parser.nextToken();
    } catch (IOException | RuntimeException e) {
      throw new DecodeException(Kind.TRAILING_BYTES, "undecodable bytes after the message", e);
    }
    if (next != null) {
      throw new DecodeException(Kind.TRAILING_BYTES, "data after the message: " + next);
    }
  }

  private static DecodeException classify(Exception e) {
    Throwable t = e;
    // Jackson sometimes wraps a low-level read error in a mapping exception.
    if (t instanceof JsonMappingException && t.getCause() instanceof StreamReadException cause) {
      t = cause;
    }
    Kind kind;
    if (t instanceof PropertyBindingException) {
      kind = Kind.UNKNOWN_FIELD;
    } else if (t instanceof InvalidTypeIdException) {
      kind = Kind.UNKNOWN_TYPE;
    } else if (t instanceof ValueInstantiationException) {
      kind = Kind.INVALID_VALUE;
    } else if (t instanceof InvalidFormatException || t instanceof InputCoercionException) {
      kind = Kind.WRONG_TYPE;
    } else if (t instanceof MismatchedInputException mie) {
      kind = mismatchKind(String.valueOf(mie.getOriginalMessage()));
    } else {
      kind = Kind.MALFORMED;
    }
    return new DecodeException(kind, describe(t), e);
  }

  private static Kind mismatchKind(String msg) {
    if (msg.startsWith("Missing creator property")
        || msg.startsWith("Missing required creator property")
        || msg.startsWith("Null value for creator property")
        || msg.startsWith("Cannot map `null` into type")) {
      return Kind.MISSING_FIELD;
    }
    if (msg.startsWith("Trailing token")) {
      return Kind.TRAILING_BYTES;
    }
    if (msg.startsWith("No content to map") || msg.contains("end-of-input")) {
      return Kind.MALFORMED;
    }
    return Kind.WRONG_TYPE;
  }

  private static String describe(Throwable t) {
    String msg =
        t instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : t.getMessage();
    msg = String.valueOf(msg);
    if (msg.length() > 300) {
      msg = msg.substring(0, 300) + "...";
    }
    if (t instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
      msg = msg + " (at " + jme.getPathReference() + ")";
    }
    StringBuilder out = new StringBuilder(msg.length());
    for (int i = 0; i < msg.length(); i++) {
      char c = msg.charAt(i);
      out.append(Character.isWhitespace(c) ? ' ' : c);
    }
    return out.toString();
  }

  /** Accepts only CBOR text strings (no numbers, booleans or byte strings as text). */
  private static final class StrictStringDeserializer extends StdScalarDeserializer<String> {
    StrictStringDeserializer() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_STRING)) {
        return requireWellFormed(p, p.getText());
      }
      return (String) ctxt.handleUnexpectedToken(String.class, p);
    }
  }

  /** Map keys must be well-formed text too. */
  private static final class StrictKeyDeserializer extends KeyDeserializer {
    @Override
    public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
      return requireWellFormed(ctxt.getParser(), key);
    }
  }

  /**
   * The CBOR parser does not validate UTF-8; invalid sequences surface as unpaired surrogates,
   * which are refused here so nothing undecodable (or unencodable) gets past the codec.
   */
  private static String requireWellFormed(JsonParser p, String s) throws JsonParseException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new JsonParseException(p, "invalid UTF-8 in text string");
      }
    }
    return s;
  }

  /** Accepts only CBOR byte strings (no base64 text, no arrays of numbers). */
  private static final class StrictBytesDeserializer extends StdScalarDeserializer<byte[]> {
    StrictBytesDeserializer() {
      super(byte[].class);
    }

    @Override
    public byte[] deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.hasToken(JsonToken.VALUE_EMBEDDED_OBJECT) && p.getEmbeddedObject() instanceof byte[]) {
        return p.getBinaryValue();
      }
      return (byte[]) ctxt.handleUnexpectedToken(byte[].class, p);
    }
  }
}
