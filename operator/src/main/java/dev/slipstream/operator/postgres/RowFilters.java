package dev.slipstream.operator.postgres;

import java.util.Optional;

/**
 * Checks that a row filter stays one expression inside the parentheses the operator puts around
 * it ({@code WHERE (filter)}).
 *
 * <p>The filter is user SQL by design, as in CloudNativePG: it is placed in the statement as is.
 * The guards are, in order: the API server's validation of the field, this check, PostgreSQL's own
 * parser (which allows only immutable built-in functions and no subqueries in a publication's
 * WHERE), and the role running the SQL, which is the tenant's own role: the statement can do
 * nothing the tenant's credentials could not. This check closes the remaining gap, a principal
 * who may write a RealtimePublication but may not read the tenant's Secret: without it, a filter
 * such as {@code true); DROP TABLE orders; --} would run as the tenant's role.
 *
 * <p>The scan follows PostgreSQL's lexer where it matters for where text ends: single-quoted
 * strings with doubled quotes, double-quoted identifiers with doubled quotes, {@code --} and
 * {@code /*} comments. Constructs whose end depends on context it does not track are refused
 * rather than guessed: dollar signs outside quotes (dollar-quoted strings) and backslashes in
 * {@code E'...'} strings. Neither is needed in a row filter; a column with {@code $} in its name can
 * be written quoted.
 */
public final class RowFilters {

  private RowFilters() {
  }

  /** Why the filter cannot be used, or empty when it is one parenthesised expression. */
  public static Optional<String> problem(String filter) {
    if (filter == null || filter.isBlank()) {
      return Optional.of("is empty");
    }
    if (filter.indexOf('\0') >= 0) {
      return Optional.of("contains the NUL character");
    }
    int depth = 0;
    int i = 0;
    while (i < filter.length()) {
      char c = filter.charAt(i);
      switch (c) {
        case '\'' -> {
          boolean escapeString = i > 0 && (filter.charAt(i - 1) == 'e' || filter.charAt(i - 1) == 'E');
          int end = endOfQuoted(filter, i, '\'');
          if (end < 0) {
            return Optional.of("has an unterminated string constant");
          }
          if (escapeString && filter.substring(i, end).indexOf('\\') >= 0) {
            return Optional.of("uses a backslash in an E'...' string constant; write the string without escapes");
          }
          i = end;
        }
        case '"' -> {
          int end = endOfQuoted(filter, i, '"');
          if (end < 0) {
            return Optional.of("has an unterminated quoted identifier");
          }
          i = end;
        }
        case '$' -> {
          return Optional.of("uses '$' outside quotes; dollar-quoted strings are not supported, quote such names");
        }
        case ';' -> {
          return Optional.of("contains ';': a row filter is a single expression");
        }
        case '(' -> {
          depth++;
          i++;
        }
        case ')' -> {
          if (--depth < 0) {
            return Optional.of("closes a parenthesis it did not open");
          }
          i++;
        }
        case '-', '/' -> {
          char next = i + 1 < filter.length() ? filter.charAt(i + 1) : ' ';
          if ((c == '-' && next == '-') || (c == '/' && next == '*')) {
            return Optional.of("contains an SQL comment");
          }
          i++;
        }
        default -> i++;
      }
    }
    return depth == 0 ? Optional.empty() : Optional.of("leaves a parenthesis open");
  }

  /**
   * Index just past the quote closing the one at {@code start}; a doubled quote is part of the
   * text. -1 when it is not closed.
   */
  private static int endOfQuoted(String text, int start, char quote) {
    int i = start + 1;
    while (i < text.length()) {
      if (text.charAt(i) == quote) {
        if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return -1;
  }
}
