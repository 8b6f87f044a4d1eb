package io.mtlsvoting.node.tally;

/**
 * A request to a tally got no answer because the node's journal (PostgreSQL) is unavailable; the
 * message says what failed and what the caller may do.
 */
public final class JournalUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public JournalUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
