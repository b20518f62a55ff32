package dev.slipstream.runtime.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the CRD and the runtime's variables write them: {@code 30s}, {@code 5m},
 * {@code 1m30s}, {@code 500ms}, {@code 1.5m}. One parser for the runtime and the operator, so that
 * what one accepts the other reads the same.
 */
public final class DurationText {

  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private DurationText() {
  }

  /** Parses {@code text} (zero allowed); throws {@link IllegalArgumentException} when it is not a duration. */
  public static Duration parse(String text) {
    String value = text.trim();
    Matcher part = PART.matcher(value);
    Duration total = Duration.ZERO;
    int end = 0;
    while (part.find() && part.start() == end) {
      double amount = Double.parseDouble(part.group(1));
      long unitMillis = switch (part.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      total = total.plusMillis(Math.round(amount * unitMillis));
      end = part.end();
    }
    if (end == 0 || end != value.length()) {
      throw new IllegalArgumentException("not a duration: '" + text + "'");
    }
    return total;
  }
}
