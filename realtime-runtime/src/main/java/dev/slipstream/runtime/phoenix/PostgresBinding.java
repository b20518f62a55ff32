package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.route.ChangeFilter;
import dev.slipstream.runtime.route.FilterLimits;
import dev.slipstream.runtime.route.RowFilter;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One {@code postgres_changes} entry of a join: what the client asked for, word for word (the
 * join reply must echo it, or realtime-js reports a binding mismatch), and the server's id for it.
 * The id is a hash of the request, like Supabase's, so identical bindings on different sockets
 * share an id, and therefore share push frames.
 */
public record PostgresBinding(int id, String event, String schema, String table, String filter,
    ChangeFilter changeFilter) {

  /** Parses one binding with the default filter limits. */
  public static PostgresBinding parse(String event, String schema, String table, String filter) {
    return parse(event, schema, table, filter, FilterLimits.DEFAULTS);
  }

  /** Parses one binding; throws {@link IllegalArgumentException} with a client-facing reason. */
  public static PostgresBinding parse(String event, String schema, String table, String filter,
      FilterLimits limits) {
    if (schema == null || schema.isEmpty()) {
      throw new IllegalArgumentException("postgres_changes needs a schema");
    }
    RowFilter rowFilter = filter == null || filter.isEmpty() ? null : RowFilter.parse(filter, limits);
    ChangeFilter changeFilter = new ChangeFilter(schema, table == null || table.isEmpty() ? ChangeFilter.ALL_TABLES : table,
        ChangeFilter.parseEvent(event), rowFilter);
    return new PostgresBinding(idOf(event, schema, table, filter), event, schema, table, filter, changeFilter);
  }

  private static int idOf(String... parts) {
    CRC32 crc = new CRC32();
    for (String part : parts) {
      crc.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
      crc.update(0);
    }
    return (int) (crc.getValue() & 0x7FFFFFF);
  }
}
