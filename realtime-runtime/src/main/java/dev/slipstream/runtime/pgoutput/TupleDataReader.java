package dev.slipstream.runtime.pgoutput;

import java.util.ArrayList;
import java.util.List;

/** Reads the TupleData part of Insert, Update and Delete. */
final class TupleDataReader {

  private TupleDataReader() {}

  /** A TupleData after a 'K' or 'O' marker that was already read. */
  static OldTuple readOld(PgOutputReader in, int marker) {
    OldTuple.Kind kind = marker == 'K' ? OldTuple.Kind.KEY : OldTuple.Kind.FULL;
    String what = kind == OldTuple.Kind.KEY ? "old key" : "old tuple";
    return new OldTuple(kind, read(in, what));
  }

  static TupleData read(PgOutputReader in, String what) {
    // Int16: number of columns; each column is at least its one kind byte.
    int count = in.readCount16(what + " column count", 1);
    List<ColumnValue> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String column = what + " column " + i;
      int kindOffset = in.offset();
      int kind = in.readByte(column + " kind");
      values.add(switch (kind) {
        case 'n' -> ColumnValue.NULL; // Byte1('n'): the value is NULL.
        case 'u' -> ColumnValue.UNCHANGED_TOAST; // Byte1('u'): unchanged TOASTed value, not sent.
        // Byte1('t') / Byte1('b'): Int32 length, then Byten of text / binary format data.
        case 't' -> new ColumnValue.Text(in.readLengthPrefixedBytes(column + " text value"));
        case 'b' -> new ColumnValue.Binary(in.readLengthPrefixedBytes(column + " binary value"));
        default -> throw in.errorAt(kindOffset, column + " has unknown kind "
            + MessageTypes.quote(kind) + ", expected 'n', 'u', 't' or 'b'");
      });
    }
    return new TupleData(values);
  }
}
