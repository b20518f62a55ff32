package dev.slipstream.runtime.route;

import java.math.BigInteger;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

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

  private static final Map<Integer, String> INTEGER_NAMES =
      Map.of(20, "bigint", 21, "smallint", 23, "integer", 26, "oid");
  private static final Map<Integer, long[]> INTEGER_RANGES = Map.of(
      20, new long[] {Long.MIN_VALUE, Long.MAX_VALUE},
      21, new long[] {Short.MIN_VALUE, Short.MAX_VALUE},
      23, new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE},
      26, new long[] {Integer.MIN_VALUE, 4_294_967_295L});
  private static final int FLOAT4 = 700;
  private static final int NUMERIC = 1700;
  private static final Set<Integer> DECIMALS = Set.of(FLOAT4, 701, NUMERIC);
  /** numeric holds up to 131072 digits before the point and 16383 after it. */
  private static final long NUMERIC_MAX_WEIGHT = 131_072;
  private static final long NUMERIC_MAX_SCALE = 16_383;
  private static final Set<String> SPECIAL_DECIMALS =
      Set.of("nan", "infinity", "-infinity", "+infinity", "inf", "-inf", "+inf");
  private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?[0-9]+");
  private static final Pattern DECIMAL_TEXT = Pattern.compile("[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?");
  private static final Pattern UUID_TEXT =
      Pattern.compile("(?i)\\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\\}?");
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

  /**
   * PostgreSQL's wording for a value its type rejects. Linear in the value's length with small
   * constants (the value is a client's, on an event loop): numbers are checked by their syntax
   * and the size of their exponent, never expanded.
   */
  private static String valueProblem(int type, String value) {
    String integerType = INTEGER_NAMES.get(type);
    if (integerType != null) {
      return integerProblem(type, integerType, value.strip());
    }
    if (DECIMALS.contains(type)) {
      return decimalProblem(type, value.strip());
    }
    if (type == BOOL) {
      return Set.of("t", "f", "true", "false", "yes", "no", "on", "off", "1", "0")
          .contains(value.toLowerCase(Locale.ROOT)) ? null : "invalid input syntax for type boolean: \"" + value + "\"";
    }
    if (type == UUID) {
      return UUID_TEXT.matcher(value).matches() ? null : "invalid input syntax for type uuid: \"" + value + "\"";
    }
    return null;
  }

  /** Digits with an optional sign, in the type's range: what int2in, int4in, int8in and oidin accept. */
  private static String integerProblem(int type, String typeName, String value) {
    if (!INTEGER_TEXT.matcher(value).matches()) {
      return "invalid input syntax for type " + typeName + ": \"" + value + "\"";
    }
    boolean negative = value.startsWith("-");
    String digits = value.replaceFirst("^[+-]?0*", "");
    // 20 significant digits exceed every range; fewer parse exactly.
    if (digits.length() < 20) {
      BigInteger number = new BigInteger(digits.isEmpty() ? "0" : digits);
      number = negative ? number.negate() : number;
      long[] range = INTEGER_RANGES.get(type);
      if (number.compareTo(BigInteger.valueOf(range[0])) >= 0 && number.compareTo(BigInteger.valueOf(range[1])) <= 0) {
        return null;
      }
    }
    return "value \"" + value + "\" is out of range for type " + typeName;
  }

  private static String decimalProblem(int type, String value) {
    if (SPECIAL_DECIMALS.contains(value.toLowerCase(Locale.ROOT))) {
      return null;
    }
    String typeName = type == NUMERIC ? "numeric" : type == FLOAT4 ? "real" : "double precision";
    if (!DECIMAL_TEXT.matcher(value).matches()) {
      return "invalid input syntax for type " + typeName + ": \"" + value + "\"";
    }
    // The decimal exponent of the leading digit, from the text: 1e100000000 is 100000000.
    String key = NumberKey.of(value.startsWith("+") ? value.substring(1) : value);
    long magnitude = key.equals("0") ? 0 : Long.parseLong(key.substring(key.indexOf('E') + 1)) - 1;
    if (type == NUMERIC) {
      return magnitude < NUMERIC_MAX_WEIGHT && magnitude > -NUMERIC_MAX_SCALE ? null
          : "value overflows numeric format";
    }
    double parsed = type == FLOAT4 ? Float.parseFloat(value) : Double.parseDouble(value);
    boolean overflow = Math.abs(magnitude) > 400 || Double.isInfinite(parsed) || (parsed == 0 && !key.equals("0"));
    return overflow ? "\"" + value + "\" is out of range for type " + typeName : null;
  }
}
