package dev.slipstream.runtime.route;

/**
 * One spelling per decimal value ({@code 1}, {@code 1.0}, {@code 1e0} and {@code 0.1E1} alike),
 * computed from the text in one pass: the significant digits and a decimal exponent. Nothing is
 * expanded, so {@code 1e999999999} costs what its 11 characters cost, and a 100,000-digit
 * {@code numeric} from the database costs linear time, not the quadratic time of
 * {@code BigDecimal.stripTrailingZeros} (the replication thread computes this for every indexed
 * value of every change).
 *
 * <p>Exponents beyond ±10<sup>15</sup> saturate: two such values may share a key, which only
 * costs the equality index an extra exact test, never a miss.
 */
final class NumberKey {

  private static final long SATURATED = 1_000_000_000_000_000L;

  private NumberKey() {
  }

  /** The canonical key, or null when the text is not a decimal number ({@code [+-]digits[.digits][e[+-]digits]}). */
  static String of(String text) {
    int n = text.length();
    int i = 0;
    boolean negative = false;
    if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
      negative = text.charAt(i) == '-';
      i++;
    }
    int intStart = i;
    i = digitsEnd(text, i);
    int intEnd = i;
    int fracStart = i;
    int fracEnd = i;
    if (i < n && text.charAt(i) == '.') {
      fracStart = ++i;
      i = digitsEnd(text, i);
      fracEnd = i;
    }
    if (intEnd == intStart && fracEnd == fracStart) {
      return null;
    }
    long exponent = 0;
    if (i < n && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
      i++;
      boolean negativeExponent = false;
      if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
        negativeExponent = text.charAt(i) == '-';
        i++;
      }
      int exponentStart = i;
      for (; i < n && isDigit(text.charAt(i)); i++) {
        exponent = Math.min(SATURATED, exponent * 10 + (text.charAt(i) - '0'));
      }
      if (i == exponentStart) {
        return null;
      }
      exponent = negativeExponent ? -exponent : exponent;
    }
    if (i != n) {
      return null;
    }
    // The digits are int part then fraction part; find the first and last significant ones.
    int intLength = intEnd - intStart;
    int total = intLength + (fracEnd - fracStart);
    int first = 0;
    while (first < total && digit(text, intStart, intLength, fracStart, first) == '0') {
      first++;
    }
    if (first == total) {
      return "0";
    }
    int last = total - 1;
    while (digit(text, intStart, intLength, fracStart, last) == '0') {
      last--;
    }
    StringBuilder key = new StringBuilder(last - first + 24);
    if (negative) {
      key.append('-');
    }
    for (int d = first; d <= last; d++) {
      key.append(digit(text, intStart, intLength, fracStart, d));
    }
    // value = 0.<significant digits> x 10^(intLength - first + exponent)
    return key.append('E').append(intLength - first + exponent).toString();
  }

  private static char digit(String text, int intStart, int intLength, int fracStart, int index) {
    return index < intLength ? text.charAt(intStart + index) : text.charAt(fracStart + index - intLength);
  }

  private static int digitsEnd(String text, int from) {
    int i = from;
    while (i < text.length() && isDigit(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
