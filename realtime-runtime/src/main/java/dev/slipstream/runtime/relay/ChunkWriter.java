package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.DatabaseMessage;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a transaction as frames into one growing buffer: events into CHUNK frames (each chunk
 * defines the schemas its events use before the first event that needs them, so a chunk decodes on
 * its own), whole frames received from elsewhere as they are, and the COMMIT frame.
 * {@link #take()} hands the frames written so far over as one buffer, a <em>segment</em>.
 *
 * <p>An event that continues its predecessor in the chunk (same commit LSN and time, next index)
 * is written without them: one flag bit instead of 20 bytes. Not thread-safe.
 */
final class ChunkWriter {

  static final int ITEM_SCHEMA = 0x01;
  static final int ITEM_ROW = 0x02;
  static final int ITEM_TRUNCATE = 0x03;
  static final int ITEM_MESSAGE = 0x04;
  /** On an event item: same commit LSN and commit time as the previous event in the chunk, index + 1. */
  static final int CONTINUES = 0x80;
  /** Marks a null commit time in the nanoseconds field. */
  static final int NO_TIME = -1;

  private final ByteBufAllocator allocator;
  private final Map<TableSchema, Integer> schemas = new IdentityHashMap<>();
  private ByteBuf out;
  private int chunkStart = -1;
  private ChangeEvent previous;

  ChunkWriter(ByteBufAllocator allocator) {
    this.allocator = allocator;
  }

  /** Adds an event to the open chunk, opening one when none is. */
  void event(ChangeEvent event) {
    if (chunkStart < 0) {
      openChunk();
    }
    switch (event) {
      case RowChange row -> {
        int table = schema(row.table());
        header(ITEM_ROW, event);
        out.writeByte(row.type().name().charAt(0)); // I, U, D
        Wire.writeVarint(out, table);
        out.writeByte((row.record() != null ? 1 : 0) | (row.oldRecord() != null ? 2 : 0));
        if (row.record() != null) {
          tuple(row.record());
        }
        if (row.oldRecord() != null) {
          tuple(row.oldRecord());
        }
      }
      case TableTruncate truncate -> {
        int[] tables = truncate.tables().stream().mapToInt(this::schema).toArray();
        header(ITEM_TRUNCATE, event);
        out.writeByte((truncate.cascade() ? 1 : 0) | (truncate.restartIdentity() ? 2 : 0));
        Wire.writeVarint(out, tables.length);
        for (int table : tables) {
          Wire.writeVarint(out, table);
        }
      }
      case DatabaseMessage message -> {
        header(ITEM_MESSAGE, event);
        out.writeBoolean(message.transactional());
        Wire.writeString(out, message.prefix());
        Wire.writeBytes(out, message.content());
      }
    }
    previous = event;
  }

  /** Appends complete frames (a chunk as a leader encoded it), closing the open chunk first. */
  void frames(ByteBuf frames) {
    closeChunk();
    buffer().writeBytes(frames, frames.readerIndex(), frames.readableBytes());
  }

  /** The transaction's COMMIT frame, after the open chunk. */
  void commit(long endLsn) {
    closeChunk();
    Frames.writeLsnFrame(buffer(), Frames.COMMIT, endLsn);
  }

  /** Bytes written and not yet taken, the open chunk included. */
  int size() {
    return out == null ? 0 : out.readableBytes();
  }

  /** The frames written so far as one buffer (closing the open chunk); null when there are none. */
  ByteBuf take() {
    closeChunk();
    ByteBuf taken = out;
    out = null;
    if (taken == null) {
      return null;
    }
    int size = taken.readableBytes();
    if (taken.capacity() - size > size / 2 + 256) { // kept for a while by the backlog: no slack
      ByteBuf exact = allocator.buffer(size, size);
      exact.writeBytes(taken);
      taken.release();
      return exact;
    }
    return taken;
  }

  /** Drops what was written and not taken. */
  void discard() {
    if (out != null) {
      out.release();
      out = null;
    }
    chunkStart = -1;
  }

  private void openChunk() {
    ByteBuf buffer = buffer();
    chunkStart = buffer.writerIndex();
    buffer.writeInt(0); // the length, set when the chunk closes
    buffer.writeByte(Frames.CHUNK);
    schemas.clear();
    previous = null;
  }

  private void closeChunk() {
    if (chunkStart >= 0) {
      out.setInt(chunkStart, out.writerIndex() - chunkStart - Frames.LENGTH_BYTES);
      chunkStart = -1;
    }
  }

  private ByteBuf buffer() {
    if (out == null) {
      out = allocator.buffer(512);
    }
    return out;
  }

  private int schema(TableSchema schema) {
    Integer known = schemas.get(schema);
    if (known != null) {
      return known;
    }
    int index = schemas.size();
    schemas.put(schema, index);
    out.writeByte(ITEM_SCHEMA);
    SchemaCodec.write(out, schema);
    return index;
  }

  private void header(int item, ChangeEvent event) {
    if (previous != null && previous.position().commitLsn() == event.position().commitLsn()
        && previous.position().index() + 1 == event.position().index()
        && Objects.equals(previous.commitTime(), event.commitTime())) {
      out.writeByte(item | CONTINUES);
      return;
    }
    out.writeByte(item);
    out.writeLong(event.position().commitLsn());
    Wire.writeVarint(out, event.position().index());
    Instant time = event.commitTime();
    out.writeLong(time == null ? 0 : time.getEpochSecond());
    out.writeInt(time == null ? NO_TIME : time.getNano());
  }

  private void tuple(TupleData tuple) {
    Wire.writeVarint(out, tuple.size());
    for (ColumnValue value : tuple.columns()) {
      out.writeByte(value.kind());
      switch (value) {
        case ColumnValue.Text text -> Wire.writeBytes(out, text.sharedBytes());
        case ColumnValue.Binary binary -> Wire.writeBytes(out, binary.bytes());
        case ColumnValue.Null ignored -> { }
        case ColumnValue.UnchangedToast ignored -> { }
      }
    }
  }
}
