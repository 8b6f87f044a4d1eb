package io.mtlsvoting.protocol;

/** A PEM file could not be read or holds the wrong kind of object; the message names the file. */
public final class PemException extends RuntimeException {
  public PemException(String message) {
    super(message);
  }

  public PemException(String message, Throwable cause) {
    super(message, cause);
  }
}
