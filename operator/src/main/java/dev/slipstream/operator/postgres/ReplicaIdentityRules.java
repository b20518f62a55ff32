package dev.slipstream.operator.postgres;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * PostgreSQL's replica identity rules for published tables, checked before a publication change is
 * committed.
 *
 * <p>PostgreSQL accepts CREATE/ALTER PUBLICATION that break these rules and enforces them later,
 * on the tenant's own writes: once a table is published with updates or deletes, every UPDATE and
 * DELETE on it fails ({@code cannot update table "t"}) when the table has no replica identity, when
 * a row filter uses a column outside it, or when a column list leaves part of it out (with
 * REPLICA IDENTITY FULL, any column list; verified on PostgreSQL 17). An operator that applied such
 * a publication would take the tenant's application down, so {@link TenantDatabase} checks these
 * rules inside the transaction and rolls back when one is broken.
 */
public final class ReplicaIdentityRules {

  /**
   * What the rules need to know about one published table.
   *
   * @param identityColumns the replica identity's columns (primary key or chosen index); empty for
   *     FULL, for NOTHING, and when DEFAULT finds no primary key
   * @param columnList the declared column list, or null when there is none
   * @param filterColumns the columns the row filter uses (empty without a filter)
   */
  public record TableIdentity(
      TableName table,
      ReplicaIdentity identity,
      List<String> identityColumns,
      List<String> columnList,
      List<String> filterColumns) {

    public TableIdentity {
      identityColumns = List.copyOf(identityColumns);
      columnList = columnList == null ? null : List.copyOf(columnList);
      filterColumns = List.copyOf(filterColumns);
    }
  }

  private ReplicaIdentityRules() {
  }

  /** One message per broken rule; empty when the tenant's writes are safe. */
  public static List<String> problems(List<TableIdentity> tables, Set<PublishOperation> operations) {
    if (!PublishOperation.needIdentity(operations)) {
      return List.of(); // insert and truncate never consult the replica identity
    }
    List<String> problems = new ArrayList<>();
    for (TableIdentity table : tables) {
      String problem = problem(table);
      if (problem != null) {
        problems.add(problem + "; PostgreSQL would refuse every UPDATE and DELETE on the table while it is "
            + "published with updates or deletes");
      }
    }
    return problems;
  }

  private static String problem(TableIdentity t) {
    if (t.identity() == ReplicaIdentity.FULL) {
      return t.columnList() == null ? null
          : t.table() + " has REPLICA IDENTITY FULL and a column list " + t.columnList()
              + ", which PostgreSQL does not allow together: remove the column list or the FULL identity";
    }
    if (t.identityColumns().isEmpty()) {
      String why = switch (t.identity()) {
        case NOTHING -> "has REPLICA IDENTITY NOTHING";
        case INDEX -> "has no replica identity index";
        default -> "has no primary key (REPLICA IDENTITY DEFAULT)";
      };
      return t.table() + " " + why + ": add a primary key or set replicaIdentityFull: true";
    }
    if (t.columnList() != null && !t.columnList().containsAll(t.identityColumns())) {
      return "the column list " + t.columnList() + " of " + t.table()
          + " leaves out replica identity columns of " + t.identityColumns() + ": add them to the list";
    }
    List<String> outside = t.filterColumns().stream().filter(c -> !t.identityColumns().contains(c)).toList();
    if (!outside.isEmpty()) {
      return "the row filter of " + t.table() + " uses " + outside + ", outside its replica identity "
          + t.identityColumns() + ": filter on identity columns only or set replicaIdentityFull: true";
    }
    return null;
  }
}
