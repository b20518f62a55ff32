package dev.slipstream.operator.postgres;

import java.util.List;

/**
 * A table a publication publishes, as {@code pg_publication_tables} lists it (tables of published
 * schemas included).
 *
 * @param columns the published columns ({@code attnames}): every column when there is no column
 *     list; empty before PostgreSQL 15, which does not report them
 * @param rowFilter the row filter in PostgreSQL's rendering, or null
 * @param replicaIdentity the table's REPLICA IDENTITY
 */
public record PublishedTableState(TableName table, List<String> columns, String rowFilter, ReplicaIdentity replicaIdentity) {

  public PublishedTableState {
    columns = columns == null ? List.of() : List.copyOf(columns);
  }
}
