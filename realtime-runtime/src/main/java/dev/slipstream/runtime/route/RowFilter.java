package dev.slipstream.runtime.route;

import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import dev.slipstream.runtime.limits.LimitExceededException;
import dev.slipstream.runtime.limits.Limit;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A row filter in Supabase's syntax, {@code column=op.value}: {@code eq}, {@code neq}, {@code lt},
 * {@code lte}, {@code gt}, {@code gte} and {@code in.(a,b,c)}. Values compare as numbers for
 * numeric columns and as text otherwise. A row whose column is NULL or an unchanged TOASTed value
 * never matches (the value is unknown, as SQL would say).
 */
public record RowFilter(String column, Operator operator, List<String> values) {

  public enum Operator {
    EQ, NEQ, LT, LTE, GT, GTE, IN
  }

  public RowFilter {
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(operator, "operator");
    values = List.copyOf(values);
  }

  /** Parses with the default {@link FilterLimits}. */
  public static RowFilter parse(String text) {
    return parse(text, FilterLimits.DEFAULTS);
  }

  /**
   * Parses {@code column=op.value}; throws {@link IllegalArgumentException} with a message meant
   * for the client that sent it ({@link LimitExceededException} when the filter is over a limit).
   */
  public static RowFilter parse(String text, FilterLimits limits) {
    if (text.length() > limits.maxLength()) {
      throw new LimitExceededException(Limit.MAX_FILTER_LENGTH, "invalid filter '" + abbreviate(text)
          + "': longer than " + limits.maxLength() + " characters");
    }
    int equals = text.indexOf('=');
    int dot = equals < 0 ? -1 : text.indexOf('.', equals);
    if (equals <= 0 || dot < 0) {
      throw new IllegalArgumentException("invalid filter '" + text + "': expected column=operator.value, "
          + "for example room=eq.lobby");
    }
    String column = text.substring(0, equals);
    String op = text.substring(equals + 1, dot);
    String value = text.substring(dot + 1);
    Operator operator;
    try {
      operator = Operator.valueOf(op.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid filter '" + text + "': unknown operator '" + op
          + "' (supported: eq, neq, lt, lte, gt, gte, in)");
    }
    if (operator == Operator.IN) {
      if (!value.startsWith("(") || !value.endsWith(")") || value.length() < 3) {
        throw new IllegalArgumentException("invalid filter '" + text + "': in needs a list, for example id=in.(1,2,3)");
      }
      String[] items = value.substring(1, value.length() - 1).split(",", -1);
      if (items.length > limits.maxValues()) {
        throw new LimitExceededException(Limit.MAX_FILTER_VALUES, "invalid filter '" + abbreviate(text)
            + "': in.(...) takes at most " + limits.maxValues() + " values, not " + items.length);
      }
      return new RowFilter(column, operator, java.util.Arrays.stream(items).map(RowFilter::unquote).toList());
    }
    return new RowFilter(column, operator, List.of(unquote(value)));
  }

  /** The start of a long filter, for a message that must not echo kilobytes back. */
  private static String abbreviate(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }

  private static String unquote(String value) {
    String trimmed = value.trim();
    if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
      return trimmed.substring(1, trimmed.length() - 1);
    }
    return trimmed;
  }

  /** The single value of an {@code eq} filter, or null: what the equality index files it under. */
  String equalityKey() {
    return operator == Operator.EQ ? looseKey(values.getFirst()) : null;
  }

  /**
   * A type-blind normal form used only to pre-select candidates in the equality index: numbers by
   * value ({@code 1.0} and {@code 1} alike), booleans by truth ({@code t} and {@code true}). The
   * exact, type-aware test is {@link #matches} on each candidate.
   */
  static String looseKey(String text) {
    switch (text) {
      case "t", "true" -> {
        return "true";
      }
      case "f", "false" -> {
        return "false";
      }
      default -> {
        String number = NumberKey.of(text);
        return number != null ? number : text;
      }
    }
  }

  /** Whether the row (its new record, or the old one for a DELETE) passes the filter. */
  public boolean matches(RowChange change) {
    TupleData row = change.record() != null ? change.record() : change.oldRecord();
    int index = change.table().indexOf(column);
    if (row == null || index < 0 || !(row.get(index) instanceof ColumnValue.Text text)) {
      return false;
    }
    String actual = text.asString();
    PgType type = change.table().columns().get(index).type();
    return switch (operator) {
      case EQ -> compare(type, actual, values.getFirst()) == 0;
      case NEQ -> compare(type, actual, values.getFirst()) != 0;
      case LT -> compare(type, actual, values.getFirst()) < 0;
      case LTE -> compare(type, actual, values.getFirst()) <= 0;
      case GT -> compare(type, actual, values.getFirst()) > 0;
      case GTE -> compare(type, actual, values.getFirst()) >= 0;
      case IN -> values.stream().anyMatch(v -> compare(type, actual, v) == 0);
    };
  }

  /** The key under which an equality index stores a row's value of this column. */
  static String indexKey(PgType type, String text) {
    if (isNumeric(type)) {
      String number = NumberKey.of(text);
      return number != null ? number : text;
    }
    if (type.oid() == PgType.BOOL.oid()) {
      return switch (text) {
        case "t", "true" -> "true";
        case "f", "false" -> "false";
        default -> text;
      };
    }
    return text;
  }

  private static int compare(PgType type, String actual, String expected) {
    if (isNumeric(type)) {
      try {
        return new BigDecimal(actual).compareTo(new BigDecimal(expected));
      } catch (NumberFormatException e) {
        // NaN/Infinity or a non-number filter value: compare as text.
      }
    }
    return indexKey(type, actual).compareTo(indexKey(type, expected));
  }

  private static final Set<Integer> NUMERIC = Set.of(20, 21, 23, 26, 700, 701, 1700);

  private static boolean isNumeric(PgType type) {
    return NUMERIC.contains(type.oid());
  }

  @Override
  public String toString() {
    return column + "=" + operator.name().toLowerCase(java.util.Locale.ROOT) + "."
        + (operator == Operator.IN ? "(" + String.join(",", values) + ")" : values.getFirst());
  }
}
