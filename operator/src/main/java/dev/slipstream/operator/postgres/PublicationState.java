package dev.slipstream.operator.postgres;

import java.util.List;
import java.util.Set;

/**
 * A publication as it exists in the database.
 *
 * @param name its name
 * @param operations its {@code publish} parameter
 * @param allTables whether it is {@code FOR ALL TABLES} (never one the operator made)
 * @param members its own TABLE entries ({@code pg_publication_rel}) with column lists as declared
 * @param schemas its TABLES IN SCHEMA entries
 * @param tables every table it publishes, schemas expanded, with replica identities
 * @param comment its comment, where the operator records what it applied; null when none
 */
public record PublicationState(
    String name,
    Set<PublishOperation> operations,
    boolean allTables,
    List<PublicationTable> members,
    List<String> schemas,
    List<PublishedTableState> tables,
    String comment) {

  public PublicationState {
    operations = Set.copyOf(operations);
    members = List.copyOf(members);
    schemas = List.copyOf(schemas);
    tables = List.copyOf(tables);
  }
}
