package dev.slipstream.runtime.route;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.ChangeType;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which changes a subscriber wants: a schema, a table (or {@code *} for every table of the
 * schema), event types, and at most one {@link RowFilter}, as a postgres_changes binding of
 * Supabase Realtime describes them.
 */
public record ChangeFilter(String schema, String table, Set<ChangeType> events, RowFilter rowFilter,
    ClaimAccess access) {

  public static final String ALL_TABLES = "*";

  public ChangeFilter {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    events = events.isEmpty() ? EnumSet.noneOf(ChangeType.class) : EnumSet.copyOf(events);
  }

  /** A filter without claim-based access (the tenant has no access rules). */
  public ChangeFilter(String schema, String table, Set<ChangeType> events, RowFilter rowFilter) {
    this(schema, table, events, rowFilter, null);
  }

  /**
   * The equality the {@link SubscriptionIndex} keys this subscription by: the claim's equality
   * when the one table it watches is under an access rule (the most selective, and always
   * present), else the row filter when it is an {@code eq}; null when it must be scanned.
   */
  RowFilter indexFilter() {
    if (access != null && !table.equals(ALL_TABLES)) {
      RowFilter claim = access.indexFilter(schema, table);
      if (claim != null) {
        return claim;
      }
      if (access.restricts(schema, table)) {
        return null; // the claim is missing: nothing will match; scanning costs one test per change
      }
    }
    return rowFilter != null && rowFilter.equalityKey() != null ? rowFilter : null;
  }

  /** Parses Supabase's event names: INSERT, UPDATE, DELETE or {@code *} (all four). */
  public static Set<ChangeType> parseEvent(String event) {
    if (event == null || event.equals("*")) {
      return EnumSet.allOf(ChangeType.class);
    }
    try {
      return EnumSet.of(ChangeType.valueOf(event.toUpperCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid event '" + event + "': expected INSERT, UPDATE, DELETE, TRUNCATE or *");
    }
  }

  public boolean matches(ChangeEvent event) {
    return switch (event) {
      case RowChange row -> events.contains(row.type()) && coversTable(row.table().schema(), row.table().table())
          && (rowFilter == null || rowFilter.matches(row)) && (access == null || access.allows(row));
      case TableTruncate truncate -> events.contains(ChangeType.TRUNCATE) && rowFilter == null
          && truncate.tables().stream().anyMatch(t -> coversTable(t.schema(), t.table()));
      case ChangeEvent.DatabaseMessage ignored -> false;
    };
  }

  private boolean coversTable(String eventSchema, String eventTable) {
    return schema.equals(eventSchema) && (table.equals(ALL_TABLES) || table.equals(eventTable));
  }
}
