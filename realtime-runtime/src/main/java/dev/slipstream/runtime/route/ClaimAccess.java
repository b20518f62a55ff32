package dev.slipstream.runtime.route;

import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One subscriber's view of the tables under an {@link AccessRule}: for each, the equality its
 * rows must satisfy ({@code column = <its claim>}), or none at all when its token lacks the claim
 * (it then sees no row of that table). Evaluated in the JVM per delivery; for a subscription on
 * one table the equality also keys the {@link SubscriptionIndex}, so a change is only tested
 * against the subscribers whose claim it carries.
 *
 * <p>A row is judged by its new record, or its old one for a DELETE. A DELETE under the default
 * replica identity carries only the key columns: unless the rule's column is part of the key, such
 * a delete is not delivered (set {@code replicaIdentityFull} on the publication to deliver them).
 */
public final class ClaimAccess {

  /** Tables under a rule, each with the equality its rows must meet (absent: the claim is missing). */
  private final Map<String, RowFilter> filters;
  private final Set<String> restricted;

  /** @param filters by {@code schema.table}; a null value denies every row of that table */
  ClaimAccess(Map<String, RowFilter> filters) {
    Map<String, RowFilter> present = new HashMap<>();
    filters.forEach((table, filter) -> {
      if (filter != null) {
        present.put(table, filter);
      }
    });
    this.filters = Map.copyOf(present);
    this.restricted = Set.copyOf(filters.keySet());
  }

  /** Whether the subscriber may see this row. */
  public boolean allows(RowChange row) {
    String key = row.table().schema() + '.' + row.table().table();
    if (!restricted.contains(key)) {
      return true;
    }
    RowFilter filter = filters.get(key);
    return filter != null && filter.matches(row);
  }

  /** The equality that keys the index for a subscription on exactly this table, if any. */
  RowFilter indexFilter(String schema, String table) {
    return filters.get(schema + '.' + table);
  }

  boolean restricts(String schema, String table) {
    return restricted.contains(schema + '.' + table);
  }
}
