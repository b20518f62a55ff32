package dev.slipstream.runtime.change;

import dev.slipstream.runtime.change.json.PgType;
import java.util.List;
import java.util.Objects;

/**
 * A table as a change event describes it: the columns in tuple order, each with its type. Built
 * from pgoutput Relation (and Type) messages; a new instance after every schema change, so an
 * event always carries the layout its values were written in.
 */
public record TableSchema(int relationOid, String schema, String table, List<Column> columns) {

  public TableSchema {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(table, "table");
    columns = List.copyOf(columns);
  }

  /**
   * One column.
   *
   * @param type how its values render as JSON: a built-in type, or one named by a pgoutput Type
   *     message (enums, arrays of them, domains), or a type rendered as a string when unknown
   * @param key whether the column is part of the replica identity
   */
  public record Column(String name, PgType type, boolean key) {
    public Column {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  public int indexOf(String column) {
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).name().equals(column)) {
        return i;
      }
    }
    return -1;
  }

  public String qualifiedName() {
    return schema + "." + table;
  }
}
