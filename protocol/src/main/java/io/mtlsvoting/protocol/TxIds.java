package io.mtlsvoting.protocol;

/** Validation of transaction ids: 1..128 characters from {@code [A-Za-z0-9._:-]}. */
public final class TxIds {
  /** Longest accepted tx id, in bytes (all allowed characters are ASCII). */
  public static final int MAX_LENGTH = 128;

  private TxIds() {}

  /** Returns {@code txId} unchanged if valid, else throws {@link InvalidInputException}. */
  public static String validate(String txId) {
    String problem = problem(txId);
    if (problem != null) {
      throw new InvalidInputException(problem);
    }
    return txId;
  }

  /** True if {@link #validate} would accept {@code txId}. */
  public static boolean isValid(String txId) {
    return problem(txId) == null;
  }

  private static String problem(String txId) {
    if (txId == null || txId.isEmpty()) {
      return "tx id must not be empty (1.." + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ : -)";
    }
    if (txId.length() > MAX_LENGTH) {
      return "tx id is " + txId.length() + " characters long; at most " + MAX_LENGTH + " allowed";
    }
    for (int i = 0; i < txId.length(); i++) {
      char c = txId.charAt(i);
      if (!allowed(c)) {
        return String.format(
            "tx id contains invalid character U+%04X at index %d; allowed are A-Z a-z 0-9 . _ : -",
            (int) c, i);
      }
    }
    return null;
  }

  private static boolean allowed(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == ':'
        || c == '-';
  }
}
