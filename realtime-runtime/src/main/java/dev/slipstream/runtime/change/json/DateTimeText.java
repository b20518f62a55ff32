package dev.slipstream.runtime.change.json;

/**
 * Turns PostgreSQL's ISO timestamp output into what {@code to_jsonb} writes (its XSD style): a
 * {@code T} between date and time, and a UTC offset of whole hours with its minutes ({@code +00}
 * becomes {@code +00:00}). Everything else carries over unchanged, as {@code to_jsonb} keeps it:
 * the fraction, offsets with minutes or seconds ({@code +05:30}, {@code -03:30:52}), years above
 * 9999 ({@code 10000-01-01T00:00:00}), the {@code " BC"} suffix, {@code infinity}.
 *
 * <p>Rewriting the text beats parsing and formatting: the output differs from the input in at
 * most four bytes, and it is done in a caller's scratch buffer, with no allocation.
 */
final class DateTimeText {

  /** How much longer the rewritten text can be than the input. */
  static final int MAX_GROWTH = 3;

  private DateTimeText() {}

  /**
   * Writes the {@code to_jsonb} form of the ISO timestamp text in the range into {@code out}
   * (which has room for {@code len + MAX_GROWTH} bytes) and returns its length; or returns -1 when
   * the text is not an ISO date and time ({@code infinity}, or a DateStyle we did not ask for),
   * which the caller then writes unchanged.
   */
  static int timestampToJson(byte[] b, int off, int len, byte[] out) {
    int end = off + len;
    int space = isoDateEnd(b, off, end);
    if (space < 0 || space + 1 >= end || b[space] != ' ' || !isDigit(b[space + 1])) {
      return -1;
    }
    System.arraycopy(b, off, out, 0, len);
    out[space - off] = 'T';
    // The offset starts at the first sign after the time; a " BC" suffix may follow it.
    int i = space + 1;
    while (i < end && b[i] != '+' && b[i] != '-' && b[i] != ' ') {
      i++;
    }
    if (i >= end || b[i] == ' ') {
      return len; // timestamp without time zone
    }
    int hourEnd = i + 1;
    while (hourEnd < end && isDigit(b[hourEnd])) {
      hourEnd++;
    }
    if (hourEnd < end && b[hourEnd] == ':') {
      return len; // minutes already there
    }
    int at = hourEnd - off;
    int tail = len - at;
    System.arraycopy(out, at, out, at + MAX_GROWTH, tail);
    out[at] = ':';
    out[at + 1] = '0';
    out[at + 2] = '0';
    return len + MAX_GROWTH;
  }

  /** The index after {@code Y+-MM-DD} (four or more year digits), or -1. */
  private static int isoDateEnd(byte[] b, int i, int end) {
    int start = i;
    while (i < end && isDigit(b[i])) {
      i++;
    }
    if (i - start < 4 || end - i < 6) {
      return -1;
    }
    if (b[i] != '-' || !isDigit(b[i + 1]) || !isDigit(b[i + 2]) || b[i + 3] != '-'
        || !isDigit(b[i + 4]) || !isDigit(b[i + 5])) {
      return -1;
    }
    return i + 6;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
