package io.mtlsvoting.protocol;

/** A certificate does not name a node or client of this cluster in the expected form. */
public final class IdentityException extends RuntimeException {
  public IdentityException(String message) {
    super(message);
  }
}
