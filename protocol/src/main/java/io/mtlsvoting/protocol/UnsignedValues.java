package io.mtlsvoting.protocol;

/**
 * Vote values are unsigned 64-bit numbers held in a Java {@code long}; this class is the one place
 * that parses and prints them.
 */
public final class UnsignedValues {
  /** The largest value, 2^64-1, in decimal. */
  public static final String MAX_DECIMAL = "18446744073709551615";

  private UnsignedValues() {}

  /**
   * Parses a plain decimal 0..18446744073709551615 (digits only: no sign, spaces or separators).
   *
   * @throws InvalidInputException saying why the text was refused
   */
  public static long parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new InvalidInputException("value must not be empty; expected 0.." + MAX_DECIMAL);
    }
    if (text.charAt(0) == '-') {
      throw new InvalidInputException(
          "value must not be negative: '" + text + "'; expected 0.." + MAX_DECIMAL);
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw new InvalidInputException(
            String.format(
                "value '%s' is not a plain decimal number: character U+%04X at index %d;"
                    + " expected digits only, 0..%s",
                text, (int) c, i, MAX_DECIMAL));
      }
    }
    try {
      return Long.parseUnsignedLong(text);
    } catch (NumberFormatException e) {
      throw new InvalidInputException(
          "value " + text + " is too large; the maximum is " + MAX_DECIMAL + " (2^64-1)");
    }
  }

  /** Prints {@code value} as an unsigned decimal. */
  public static String format(long value) {
    return Long.toUnsignedString(value);
  }
}
