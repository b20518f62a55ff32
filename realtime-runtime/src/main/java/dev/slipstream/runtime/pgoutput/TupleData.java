package dev.slipstream.runtime.pgoutput;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The column values of one row, in the column order of the relation's latest Relation message.
 * A 'K' (key) tuple has every column too: the ones outside the replica identity are {@code 'n'}.
 *
 * <p>Immutable, compared by value like the record it used to be. Not a record any more so that the
 * decoder can hand over the array it filled without a copy (one per decoded row: it was 6% of the
 * replication thread's samples in the decode benchmark).
 */
public final class TupleData {

  private final ColumnValue[] columns;

  /** @param columns one value per column; never null elements; copied */
  public TupleData(List<ColumnValue> columns) {
    this(columns.toArray(ColumnValue[]::new));
    for (ColumnValue value : this.columns) {
      Objects.requireNonNull(value, "a column value");
    }
  }

  private TupleData(ColumnValue[] columns) {
    this.columns = columns;
  }

  /** Takes {@code columns}, filled by the decoder with no null element, without copying it. */
  static TupleData owning(ColumnValue[] columns) {
    return new TupleData(columns);
  }

  public static TupleData of(ColumnValue... columns) {
    return new TupleData(List.of(columns));
  }

  /** One value per column; unmodifiable. */
  public List<ColumnValue> columns() {
    return Collections.unmodifiableList(Arrays.asList(columns));
  }

  public int size() {
    return columns.length;
  }

  public ColumnValue get(int index) {
    return columns[index];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TupleData that && Arrays.equals(columns, that.columns);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(columns);
  }

  @Override
  public String toString() {
    return "TupleData[columns=" + Arrays.toString(columns) + "]";
  }
}
