package dev.slipstream.runtime.pgoutput;

/**
 * Reads the TupleData part of Insert, Update and Delete. Runs once per column of every decoded
 * row, so a field's name for an error text is made only when there is an error.
 */
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
    ColumnValue[] values = new ColumnValue[count];
    for (int i = 0; i < count; i++) {
      int kindOffset = in.offset();
      if (in.remaining() < 1) {
        in.readByte(column(what, i) + " kind"); // throws, naming the field
      }
      int kind = in.readByte();
      values[i] = switch (kind) {
        case 'n' -> ColumnValue.NULL; // Byte1('n'): the value is NULL.
        case 'u' -> ColumnValue.UNCHANGED_TOAST; // Byte1('u'): unchanged TOASTed value, not sent.
        // Byte1('t') / Byte1('b'): Int32 length, then Byten of text / binary format data.
        case 't' -> ColumnValue.Text.owning(value(in, what, i, " text value"));
        case 'b' -> new ColumnValue.Binary(value(in, what, i, " binary value"));
        default -> throw in.errorAt(kindOffset, column(what, i) + " has unknown kind "
            + MessageTypes.quote(kind) + ", expected 'n', 'u', 't' or 'b'");
      };
    }
    return TupleData.owning(values);
  }

  private static byte[] value(PgOutputReader in, String what, int column, String kind) {
    byte[] value = in.readLengthPrefixedBytesOrNull();
    return value != null ? value : in.readLengthPrefixedBytes(column(what, column) + kind); // throws, naming it
  }

  private static String column(String what, int index) {
    return what + " column " + index;
  }
}
