package dev.slipstream.runtime.route;

import java.util.Objects;

/**
 * Claim-based row access for one table, from a {@code RealtimePublication}'s {@code access}
 * entry: a subscriber sees a row of {@code schema.table} only when the row's {@code column}
 * equals its token's {@code claim} (a claim name, or a dotted path into nested claims).
 */
public record AccessRule(String schema, String table, String column, String claim) {

  public AccessRule {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(column, "column");
    Objects.requireNonNull(claim, "claim");
  }

  String tableKey() {
    return schema + '.' + table;
  }

  /** The form {@code SLIPSTREAM_ACCESS_RULES} lists rules in: {@code schema.table:column=claim}. */
  @Override
  public String toString() {
    return schema + '.' + table + ':' + column + '=' + claim;
  }
}
