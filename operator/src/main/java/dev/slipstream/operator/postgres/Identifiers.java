package dev.slipstream.operator.postgres;

import java.nio.charset.StandardCharsets;

/**
 * Quoting of SQL identifiers and string literals, the only way names and values enter SQL text
 * built by this package.
 *
 * <p>Identifiers are always double-quoted, never left bare: a bare name is folded to lower case by
 * PostgreSQL and may collide with a keyword, while a quoted one means exactly the stored name
 * (so {@code Orders} and {@code orders} stay two tables, as the API promises).
 */
public final class Identifiers {

  /** NAMEDATALEN - 1: PostgreSQL silently truncates longer identifiers, which would make two names collide. */
  public static final int MAX_IDENTIFIER_BYTES = 63;

  private Identifiers() {
  }

  /**
   * {@code "name"} with embedded double quotes doubled, as PostgreSQL's {@code quote_ident} does
   * (but unconditionally).
   *
   * @throws IllegalArgumentException for null, empty, NUL-containing or over-long names
   */
  public static String quote(String identifier) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("an SQL identifier cannot be empty");
    }
    rejectNul(identifier, "an SQL identifier");
    int bytes = identifier.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_IDENTIFIER_BYTES) {
      throw new IllegalArgumentException("SQL identifier \"" + identifier + "\" is " + bytes
          + " bytes long; PostgreSQL keeps only " + MAX_IDENTIFIER_BYTES);
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /**
   * {@code 'value'} with embedded single quotes doubled. Backslashes stay as they are: correct
   * because {@link TenantDatabase} sets {@code standard_conforming_strings = on} for its session
   * (the default since PostgreSQL 9.1, but a server may be configured otherwise).
   *
   * @throws IllegalArgumentException for null or NUL-containing values
   */
  public static String literal(String value) {
    if (value == null) {
      throw new IllegalArgumentException("an SQL string literal cannot be null");
    }
    rejectNul(value, "an SQL string literal");
    return '\'' + value.replace("'", "''") + '\'';
  }

  static void rejectNul(String text, String what) {
    if (text.indexOf('\0') >= 0) {
      // PostgreSQL text cannot hold NUL; pgjdbc would fail later with a less helpful message.
      throw new IllegalArgumentException(what + " cannot contain the NUL character");
    }
  }
}
