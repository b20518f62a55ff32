package dev.slipstream.runtime.change.json;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Number syntax and precision checks on ASCII bytes, without allocating on the common paths.
 *
 * <p>Every number we write raw is first checked against JSON's number grammar, so a value we did
 * not expect (a bug upstream, an output format we did not plan for) can never break the frame: it
 * is written as a string instead.
 */
final class NumberText {

  /**
   * Any decimal with at most this many significant digits survives the trip to a double and back
   * ({@code DBL_DIG}), as long as it is within the normal range.
   */
  private static final int ALWAYS_EXACT_DIGITS = 15;

  /** A double's shortest representation never needs more than this many significant digits. */
  private static final int MAX_DOUBLE_DIGITS = 17;

  /** Decimal exponents (of the leading digit) for which {@link #ALWAYS_EXACT_DIGITS} holds. */
  private static final int MIN_SAFE_EXPONENT = -307;
  private static final int MAX_SAFE_EXPONENT = 307;

  private NumberText() {}

  /**
   * The index after the JSON number starting at {@code from}, or -1 if there is none there:
   * {@code -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?}.
   */
  static int numberEnd(byte[] b, int from, int end) {
    int i = from;
    if (i < end && b[i] == '-') {
      i++;
    }
    if (i >= end) {
      return -1;
    }
    if (b[i] == '0') {
      i++;
    } else if (isDigit(b[i])) {
      i = digitsEnd(b, i, end);
    } else {
      return -1;
    }
    if (i < end && b[i] == '.') {
      int fraction = ++i;
      i = digitsEnd(b, i, end);
      if (i == fraction) {
        return -1;
      }
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      int exponent = i;
      i = digitsEnd(b, i, end);
      if (i == exponent) {
        return -1;
      }
    }
    return i;
  }

  /** Whether the whole range is one JSON number. */
  static boolean isJsonNumber(byte[] b, int off, int len) {
    return len > 0 && numberEnd(b, off, off + len) == off + len;
  }

  /**
   * Whether the JSON number in the range, parsed into an IEEE double (what a JavaScript client's
   * {@code JSON.parse} does), prints back as the same decimal value: that is, whether a client
   * that reads it as a number loses nothing. {@code 0.1} does ({@code 0.1} prints as {@code 0.1});
   * {@code 9007199254740993} does not (it becomes {@code 9007199254740992}). Trailing zeros are
   * not precision: {@code 1.50} passes.
   *
   * <p>Decided without allocating for up to 15 significant digits (always exact) and above 17
   * (never); 16 and 17 digits, and extreme exponents, take a slow path through {@link BigDecimal}
   * and {@link Double#toString(double)}, which is the shortest round-trip representation since
   * JDK 19, as JavaScript's {@code Number.prototype.toString} is. They differ only deep in the
   * subnormal range (Java prints at least two digits: 4.9E-324 where JavaScript prints 5e-324),
   * where this answers "not lossless" and the value stays an exact string.
   *
   * @param b a range for which {@link #isJsonNumber} holds
   */
  static boolean isLosslessDouble(byte[] b, int off, int len) {
    int end = off + len;
    int i = off;
    if (b[i] == '-') {
      i++;
    }
    int digitIndex = 0; // position among the mantissa's digits, ignoring the point
    int pointIndex = -1; // digits before the point
    int firstNonZero = -1;
    int lastNonZero = -1;
    for (; i < end; i++) {
      byte c = b[i];
      if (c == '.') {
        pointIndex = digitIndex;
      } else if (c == 'e' || c == 'E') {
        break;
      } else {
        if (c != '0') {
          if (firstNonZero < 0) {
            firstNonZero = digitIndex;
          }
          lastNonZero = digitIndex;
        }
        digitIndex++;
      }
    }
    if (firstNonZero < 0) {
      return true; // zero, however written
    }
    if (pointIndex < 0) {
      pointIndex = digitIndex;
    }
    if (i < end) {
      return slowPath(b, off, len); // an exponent: rare in PostgreSQL's numeric output (never)
    }
    int significantDigits = lastNonZero - firstNonZero + 1;
    if (significantDigits > MAX_DOUBLE_DIGITS) {
      return false;
    }
    int exponent = pointIndex - firstNonZero - 1; // of the leading significant digit
    if (significantDigits <= ALWAYS_EXACT_DIGITS
        && exponent >= MIN_SAFE_EXPONENT
        && exponent <= MAX_SAFE_EXPONENT) {
      return true;
    }
    return slowPath(b, off, len);
  }

  private static boolean slowPath(byte[] b, int off, int len) {
    String text = new String(b, off, len, StandardCharsets.ISO_8859_1);
    double parsed = Double.parseDouble(text);
    if (Double.isInfinite(parsed)) {
      return false;
    }
    return new BigDecimal(text).compareTo(new BigDecimal(Double.toString(parsed))) == 0;
  }

  /** Whether the range is an optional '-' and digits whose value fits in a long. */
  static boolean isLong(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    if (i < end && b[i] == '-') {
      i++;
    }
    if (i >= end) {
      return false;
    }
    for (int j = i; j < end; j++) {
      if (!isDigit(b[j])) {
        return false;
      }
    }
    while (i < end - 1 && b[i] == '0') {
      i++; // leading zeros don't count towards the 19 digits
    }
    int digits = end - i;
    if (digits > 19) {
      return false;
    }
    if (digits < 19) {
      return true;
    }
    // 19 digits: compare with the bound's digits (9223372036854775807, or ...808 if negative).
    byte[] bound = b[off] == '-' ? MIN_LONG_DIGITS : MAX_LONG_DIGITS;
    for (int j = 0; j < 19; j++) {
      int d = b[i + j] - bound[j];
      if (d != 0) {
        return d < 0;
      }
    }
    return true;
  }

  /** The value of a range for which {@link #isLong} holds. */
  static long parseLong(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    boolean negative = b[i] == '-';
    if (negative) {
      i++;
    }
    long value = 0;
    for (; i < end; i++) {
      value = value * 10 - (b[i] - '0'); // accumulate negatively: Long.MIN_VALUE fits
    }
    return negative ? value : -value;
  }

  private static final byte[] MAX_LONG_DIGITS =
      "9223372036854775807".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] MIN_LONG_DIGITS =
      "9223372036854775808".getBytes(StandardCharsets.US_ASCII);

  private static int digitsEnd(byte[] b, int i, int end) {
    while (i < end && isDigit(b[i])) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
