package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * A frame could not be decoded into a valid {@link Message}; {@link #kind()} says why. Carries no
 * stack trace of its own (bad frames from a hostile peer must be cheap); the cause, if any, has
 * one.
 */
public final class DecodeException extends Exception {
  /** Why a frame was refused. */
  public enum Kind {
    /** Zero-length payload. */
    EMPTY,
    /** Larger than the maximum frame size. */
    OVERSIZE,
    /** Not well-formed CBOR, or nested too deeply, or a duplicate key. */
    MALFORMED,
    /** Type name missing or not a known message. */
    UNKNOWN_TYPE,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field the message does not have. */
    UNKNOWN_FIELD,
    /** A field of the wrong CBOR type or out of range for its Java type. */
    WRONG_TYPE,
    /** Well-typed but semantically invalid content (bad tx id, node id, signature length...). */
    INVALID_VALUE,
    /** Bytes after the message. */
    TRAILING_BYTES
  }

  private final Kind kind;

  public DecodeException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public DecodeException(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** Why the frame was refused. */
  public Kind kind() {
    return kind;
  }
}
