package dev.slipstream.operator.postgres;

import java.util.List;
import java.util.Objects;

/**
 * One {@code TABLE} entry of a publication: {@code "schema"."name" (columns) WHERE (rowFilter)}.
 * Used both for what is wanted and for what {@code pg_publication_rel} says exists.
 *
 * @param columns the column list; empty means every column (no list)
 * @param rowFilter the row filter expression, or null for none. When read back from PostgreSQL it
 *     is in PostgreSQL's own rendering ({@code pg_get_expr}), e.g. {@code (status <> 'draft'::text)}
 */
public record PublicationTable(TableName table, List<String> columns, String rowFilter) {

  public PublicationTable {
    Objects.requireNonNull(table, "table");
    columns = columns == null ? List.of() : List.copyOf(columns);
    rowFilter = rowFilter == null || rowFilter.isBlank() ? null : rowFilter;
  }

  public static PublicationTable of(String schema, String name) {
    return new PublicationTable(new TableName(schema, name), List.of(), null);
  }

  public PublicationTable withColumns(String... newColumns) {
    return new PublicationTable(table, List.of(newColumns), rowFilter);
  }

  public PublicationTable withRowFilter(String filter) {
    return new PublicationTable(table, columns, filter);
  }

  public boolean hasColumnList() {
    return !columns.isEmpty();
  }

  public boolean hasRowFilter() {
    return rowFilter != null;
  }
}
