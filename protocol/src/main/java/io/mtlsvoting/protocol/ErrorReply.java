package io.mtlsvoting.protocol;

import java.util.Objects;

/**
 * A request failed: {@code code} is a stable machine-readable word (e.g. {@link #INVALID_ARGUMENT})
 * and {@code message} says what went wrong and what to do.
 */
public record ErrorReply(long requestId, String code, String message) implements ClientReply {
  public static final String INVALID_ARGUMENT = "INVALID_ARGUMENT";
  public static final String NOT_FOUND = "NOT_FOUND";
  public static final String FORBIDDEN = "FORBIDDEN";
  public static final String UNAVAILABLE = "UNAVAILABLE";
  public static final String TIMEOUT = "TIMEOUT";
  public static final String INTERNAL = "INTERNAL";

  public ErrorReply {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
