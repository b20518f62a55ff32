package dev.slipstream.runtime.change;

import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The on-disk tail of one streamed transaction that outgrew the memory bound. Entries are
 * appended as (subtransaction xid, change); tables are written as indexes into a registry shared
 * by all spill files, so a schema is never serialised. The file is deleted on commit or abort.
 */
final class SpillFile implements AutoCloseable {

  private static final byte ROW = 1;
  private static final byte TRUNCATE = 2;
  private static final byte MESSAGE = 3;

  private final Path path;
  private final SchemaRegistry schemas;
  private DataOutputStream out;
  private long entries;

  SpillFile(Path directory, long xid, SchemaRegistry schemas) {
    this.schemas = schemas;
    try {
      Files.createDirectories(directory);
      this.path = Files.createTempFile(directory, "xid-" + xid + "-", ".spill");
      this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a spill file in " + directory, e);
    }
  }

  long entries() {
    return entries;
  }

  void append(long subXid, PendingChange change) {
    try {
      out.writeLong(subXid);
      switch (change) {
        case PendingChange.Row row -> {
          out.writeByte(ROW);
          out.writeByte(row.type().ordinal());
          out.writeInt(schemas.idOf(row.table()));
          writeTuple(row.record());
          writeTuple(row.oldRecord());
        }
        case PendingChange.Truncate truncate -> {
          out.writeByte(TRUNCATE);
          out.writeInt(truncate.tables().size());
          for (TableSchema table : truncate.tables()) {
            out.writeInt(schemas.idOf(table));
          }
          out.writeBoolean(truncate.cascade());
          out.writeBoolean(truncate.restartIdentity());
        }
        case PendingChange.Message message -> {
          out.writeByte(MESSAGE);
          out.writeUTF(message.prefix());
          out.writeInt(message.content().length);
          out.write(message.content());
        }
      }
      entries++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write spill file " + path, e);
    }
  }

  /** Reads every entry back in order. */
  void replay(BiConsumer<Long, PendingChange> consumer) {
    try {
      out.close();
      out = null;
      try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), 1 << 16))) {
        for (long i = 0; i < entries; i++) {
          long subXid = in.readLong();
          consumer.accept(subXid, readChange(in));
        }
      }
    } catch (EOFException e) {
      throw new IllegalStateException("spill file " + path + " is shorter than its " + entries + " entries", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read spill file " + path, e);
    }
  }

  private PendingChange readChange(DataInputStream in) throws IOException {
    byte kind = in.readByte();
    return switch (kind) {
      case ROW -> new PendingChange.Row(ChangeType.values()[in.readByte()], schemas.byId(in.readInt()),
          readTuple(in), readTuple(in));
      case TRUNCATE -> {
        int count = in.readInt();
        List<TableSchema> tables = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          tables.add(schemas.byId(in.readInt()));
        }
        yield new PendingChange.Truncate(tables, in.readBoolean(), in.readBoolean());
      }
      case MESSAGE -> {
        String prefix = in.readUTF();
        byte[] content = new byte[in.readInt()];
        in.readFully(content);
        yield new PendingChange.Message(prefix, content);
      }
      default -> throw new IllegalStateException("corrupt spill file " + path + ": entry kind " + kind);
    };
  }

  private void writeTuple(TupleData tuple) throws IOException {
    if (tuple == null) {
      out.writeInt(-1);
      return;
    }
    out.writeInt(tuple.size());
    for (ColumnValue value : tuple.columns()) {
      out.writeByte(value.kind());
      switch (value) {
        case ColumnValue.Text text -> writeBytes(text.sharedBytes());
        case ColumnValue.Binary binary -> writeBytes(binary.bytes());
        case ColumnValue.Null ignored -> { }
        case ColumnValue.UnchangedToast ignored -> { }
      }
    }
  }

  private void writeBytes(byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static TupleData readTuple(DataInputStream in) throws IOException {
    int size = in.readInt();
    if (size < 0) {
      return null;
    }
    List<ColumnValue> values = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      char kind = (char) in.readByte();
      values.add(switch (kind) {
        case 'n' -> ColumnValue.NULL;
        case 'u' -> ColumnValue.UNCHANGED_TOAST;
        case 't' -> new ColumnValue.Text(readBytes(in));
        case 'b' -> new ColumnValue.Binary(readBytes(in));
        default -> throw new IOException("corrupt spill file: value kind " + kind);
      });
    }
    return new TupleData(values);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return bytes;
  }

  @Override
  public void close() {
    try {
      if (out != null) {
        out.close();
      }
      Files.deleteIfExists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete spill file " + path, e);
    }
  }
}
