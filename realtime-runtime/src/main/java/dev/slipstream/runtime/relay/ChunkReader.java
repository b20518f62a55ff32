package dev.slipstream.runtime.relay;

import static dev.slipstream.runtime.relay.ChunkWriter.CONTINUES;
import static dev.slipstream.runtime.relay.ChunkWriter.ITEM_MESSAGE;
import static dev.slipstream.runtime.relay.ChunkWriter.ITEM_ROW;
import static dev.slipstream.runtime.relay.ChunkWriter.ITEM_SCHEMA;
import static dev.slipstream.runtime.relay.ChunkWriter.ITEM_TRUNCATE;
import static dev.slipstream.runtime.relay.ChunkWriter.NO_TIME;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeType;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads the events of a CHUNK frame's body, as {@link ChunkWriter} wrote them. */
final class ChunkReader {

  private static final int MAX_PREFIX_BYTES = 64 * 1024;

  private final ByteBuf in;
  private final List<TableSchema> schemas = new ArrayList<>();
  private final List<ChangeEvent> events = new ArrayList<>();
  private ChangeEvent previous;

  private ChunkReader(ByteBuf in) {
    this.in = in;
  }

  /** The events of a chunk; {@code body} is what follows the frame's type byte, read to its end. */
  static List<ChangeEvent> read(ByteBuf body) {
    ChunkReader reader = new ChunkReader(body);
    try {
      while (body.isReadable()) {
        reader.item();
      }
    } catch (IllegalArgumentException e) { // a value the change records refuse, such as an index overflowing
      throw new RelayProtocolException("invalid event in a relay chunk: " + e.getMessage());
    }
    return reader.events;
  }

  private void item() {
    int offset = in.readerIndex();
    int tag = in.readUnsignedByte();
    if (tag == ITEM_SCHEMA) {
      schemas.add(SchemaCodec.read(in));
      return;
    }
    int kind = tag & ~CONTINUES;
    if (kind != ITEM_ROW && kind != ITEM_TRUNCATE && kind != ITEM_MESSAGE) {
      throw new RelayProtocolException(String.format("unknown chunk item 0x%02x at offset %d", tag, offset));
    }
    boolean continues = (tag & CONTINUES) != 0;
    EventPosition position;
    Instant time;
    if (continues) {
      if (previous == null) {
        throw new RelayProtocolException("the first event of a chunk continues no other (offset " + offset + ")");
      }
      position = new EventPosition(previous.position().commitLsn(), previous.position().index() + 1);
      time = previous.commitTime();
    } else {
      long commitLsn = Wire.readLong(in, "commit LSN");
      position = new EventPosition(commitLsn, Wire.readVarint(in, "event index"));
      long seconds = Wire.readLong(in, "commit time");
      int nanos = Wire.readInt(in, "commit time nanoseconds");
      time = nanos == NO_TIME ? null : instant(seconds, nanos);
    }
    ChangeEvent event = switch (kind) {
      case ITEM_ROW -> row(position, time);
      case ITEM_TRUNCATE -> truncate(position, time);
      default -> message(position, time);
    };
    events.add(event);
    previous = event;
  }

  private ChangeEvent row(EventPosition position, Instant time) {
    ChangeType type = switch (Wire.readUnsignedByte(in, "change type")) {
      case 'I' -> ChangeType.INSERT;
      case 'U' -> ChangeType.UPDATE;
      case 'D' -> ChangeType.DELETE;
      default -> throw new RelayProtocolException("unknown change type in a row event");
    };
    TableSchema table = schema();
    int tuples = Wire.readUnsignedByte(in, "tuple flags");
    TupleData record = (tuples & 1) != 0 ? tuple() : null;
    TupleData old = (tuples & 2) != 0 ? tuple() : null;
    return new ChangeEvent.RowChange(position, time, type, table, record, old);
  }

  private ChangeEvent truncate(EventPosition position, Instant time) {
    int flags = Wire.readUnsignedByte(in, "truncate flags");
    int count = Wire.readCount(in, 1, "truncated table count");
    List<TableSchema> tables = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      tables.add(schema());
    }
    return new ChangeEvent.TableTruncate(position, time, tables, (flags & 1) != 0, (flags & 2) != 0);
  }

  private ChangeEvent message(EventPosition position, Instant time) {
    boolean transactional = Wire.readUnsignedByte(in, "transactional flag") != 0;
    String prefix = Wire.readString(in, MAX_PREFIX_BYTES, "message prefix");
    return new ChangeEvent.DatabaseMessage(position, time, transactional, prefix, Wire.readBytes(in, "message content"));
  }

  private TableSchema schema() {
    int index = Wire.readVarint(in, "schema index");
    if (index >= schemas.size()) {
      throw new RelayProtocolException("schema index " + index + " refers to no schema of the chunk ("
          + schemas.size() + " defined)");
    }
    return schemas.get(index);
  }

  private TupleData tuple() {
    int count = Wire.readCount(in, 1, "column count");
    List<ColumnValue> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      columns.add(switch (Wire.readUnsignedByte(in, "value kind")) {
        case 'n' -> ColumnValue.NULL;
        case 'u' -> ColumnValue.UNCHANGED_TOAST;
        case 't' -> new ColumnValue.Text(Wire.readBytes(in, "text value"));
        case 'b' -> new ColumnValue.Binary(Wire.readBytes(in, "binary value"));
        default -> throw new RelayProtocolException("unknown value kind in a tuple");
      });
    }
    return new TupleData(columns);
  }

  private static Instant instant(long seconds, int nanos) {
    try {
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (java.time.DateTimeException e) {
      throw new RelayProtocolException("commit time out of range");
    }
  }
}
