package dev.slipstream.runtime.route;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The tables the tenant's publications carry, with their published columns and types: what a
 * subscription is checked against when it is made, so that a table outside the publications, a
 * filter on a column that does not exist or a value its column's type cannot hold is an error the
 * client sees at once, not a subscription that silently never fires.
 *
 * @param tables {@code schema.table} to column name to type OID
 */
public record PublishedColumns(Map<String, Map<String, Integer>> tables) {

  /** Before the catalog was first read: every subscription is accepted as it is. */
  public static final PublishedColumns UNKNOWN = new PublishedColumns(null);

  private static final Set<Integer> INTEGERS = Set.of(20, 21, 23, 26);
  private static final Set<Integer> DECIMALS = Set.of(700, 701, 1700);
  private static final int BOOL = 16;
  private static final int UUID = 2950;

  public PublishedColumns {
    tables = tables == null ? null : Map.copyOf(tables);
  }

  /** Null when the subscription can be served; otherwise the reason, for the client. */
  public String problemWith(ChangeFilter filter) {
    if (tables == null) {
      return null;
    }
    String schema = filter.schema();
    if (filter.table().equals(ChangeFilter.ALL_TABLES)) {
      boolean any = tables.keySet().stream().anyMatch(key -> key.startsWith(schema + "."));
      return any ? null : "no table of schema " + schema + " is in this tenant's publications";
    }
    Map<String, Integer> columns = tables.get(schema + "." + filter.table());
    if (columns == null) {
      return "table " + schema + "." + filter.table() + " is not in this tenant's publications";
    }
    RowFilter rowFilter = filter.rowFilter();
    if (rowFilter == null) {
      return null;
    }
    Integer type = columns.get(rowFilter.column());
    if (type == null) {
      return "column \"" + rowFilter.column() + "\" does not exist in " + schema + "." + filter.table()
          + " (or is not published)";
    }
    for (String value : rowFilter.values()) {
      String problem = valueProblem(type, value);
      if (problem != null) {
        return "invalid filter '" + rowFilter + "': " + problem;
      }
    }
    return null;
  }

  /** PostgreSQL's wording for a value its type rejects. */
  private static String valueProblem(int type, String value) {
    if (INTEGERS.contains(type)) {
      try {
        new BigDecimal(value).toBigIntegerExact();
        return null;
      } catch (NumberFormatException | ArithmeticException e) {
        return "invalid input syntax for type integer: \"" + value + "\"";
      }
    }
    if (DECIMALS.contains(type)) {
      try {
        new BigDecimal(value);
        return null;
      } catch (NumberFormatException e) {
        return List.of("NaN", "Infinity", "-Infinity").contains(value) ? null
            : "invalid input syntax for type numeric: \"" + value + "\"";
      }
    }
    if (type == BOOL) {
      return Set.of("t", "f", "true", "false", "yes", "no", "on", "off", "1", "0")
          .contains(value.toLowerCase(Locale.ROOT)) ? null : "invalid input syntax for type boolean: \"" + value + "\"";
    }
    if (type == UUID) {
      return value.matches("(?i)\\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\\}?") ? null
          : "invalid input syntax for type uuid: \"" + value + "\"";
    }
    return null;
  }
}
