package dev.slipstream.runtime.pgoutput;

import java.util.List;

/**
 * The column values of one row, in the column order of the relation's latest Relation message.
 * A 'K' (key) tuple has every column too: the ones outside the replica identity are {@code 'n'}.
 *
 * @param columns one value per column; never null elements, unmodifiable
 */
public record TupleData(List<ColumnValue> columns) {

  public TupleData {
    columns = List.copyOf(columns);
  }

  public static TupleData of(ColumnValue... columns) {
    return new TupleData(List.of(columns));
  }

  public int size() {
    return columns.size();
  }

  public ColumnValue get(int index) {
    return columns.get(index);
  }
}
