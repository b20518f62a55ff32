package dev.slipstream.runtime.route;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The tenant's claim-based access rules, by table. Tables without a rule are visible to every
 * subscriber the publication reaches; a table with a rule only row by row (see {@link ClaimAccess}).
 */
public final class AccessPolicy {

  public static final AccessPolicy NONE = new AccessPolicy(List.of());

  private final Map<String, AccessRule> byTable = new HashMap<>();

  public AccessPolicy(List<AccessRule> rules) {
    for (AccessRule rule : rules) {
      AccessRule previous = byTable.putIfAbsent(rule.tableKey(), rule);
      if (previous != null && !previous.equals(rule)) {
        throw new IllegalArgumentException("two access rules for table " + rule.tableKey() + ": " + previous + " and "
            + rule);
      }
    }
  }

  /**
   * Parses {@code SLIPSTREAM_ACCESS_RULES}: comma-separated {@code schema.table:column=claim}
   * entries ({@code table:column=claim} means schema {@code public}); empty means no rules.
   */
  public static AccessPolicy parse(String text) {
    if (text == null || text.isBlank()) {
      return NONE;
    }
    List<AccessRule> rules = new java.util.ArrayList<>();
    for (String entry : text.split(",")) {
      String item = entry.trim();
      if (item.isEmpty()) {
        continue;
      }
      int colon = item.indexOf(':');
      int equals = item.indexOf('=', colon + 1);
      if (colon <= 0 || equals <= colon + 1 || equals == item.length() - 1) {
        throw new IllegalArgumentException("access rule '" + item + "' is not schema.table:column=claim");
      }
      String table = item.substring(0, colon);
      int dot = table.indexOf('.');
      rules.add(new AccessRule(dot < 0 ? "public" : table.substring(0, dot), dot < 0 ? table : table.substring(dot + 1),
          item.substring(colon + 1, equals), item.substring(equals + 1)));
    }
    return new AccessPolicy(rules);
  }

  public boolean isEmpty() {
    return byTable.isEmpty();
  }

  AccessRule ruleFor(String schema, String table) {
    return byTable.get(schema + '.' + table);
  }

  /**
   * What one subscriber may see, given how its token's claims read ({@code claims} returns the
   * canonical text of a claim, or null when the token has no such claim).
   */
  public ClaimAccess accessFor(Function<String, String> claims) {
    Map<String, RowFilter> filters = new HashMap<>();
    byTable.forEach((table, rule) -> {
      String value = claims.apply(rule.claim());
      filters.put(table, value == null ? null : new RowFilter(rule.column(), RowFilter.Operator.EQ, List.of(value)));
    });
    return new ClaimAccess(filters);
  }
}
