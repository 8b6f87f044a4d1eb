package io.mtlsvoting.protocol;

/** An input value (tx id, vote value, quorum parameters, ...) was refused; the message says why. */
public final class InvalidInputException extends IllegalArgumentException {
  public InvalidInputException(String message) {
    super(message);
  }
}
