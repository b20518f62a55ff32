package dev.slipstream.runtime.change;

import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.time.Instant;
import java.util.List;

/**
 * A change decoded but not yet placed in the stream: it gets its {@link EventPosition} and commit
 * time only when its transaction commits.
 */
sealed interface PendingChange {

  ChangeEvent toEvent(EventPosition position, Instant commitTime);

  /** Rough heap footprint, for the streamed-transaction memory bound. */
  long estimatedBytes();

  record Row(ChangeType type, TableSchema table, TupleData record, TupleData oldRecord) implements PendingChange {
    @Override
    public ChangeEvent toEvent(EventPosition position, Instant commitTime) {
      return new ChangeEvent.RowChange(position, commitTime, type, table, record, oldRecord);
    }

    @Override
    public long estimatedBytes() {
      return 64 + tupleBytes(record) + tupleBytes(oldRecord);
    }
  }

  record Truncate(List<TableSchema> tables, boolean cascade, boolean restartIdentity) implements PendingChange {
    @Override
    public ChangeEvent toEvent(EventPosition position, Instant commitTime) {
      return new ChangeEvent.TableTruncate(position, commitTime, tables, cascade, restartIdentity);
    }

    @Override
    public long estimatedBytes() {
      return 64 + 8L * tables.size();
    }
  }

  record Message(String prefix, byte[] content) implements PendingChange {
    @Override
    public ChangeEvent toEvent(EventPosition position, Instant commitTime) {
      return new ChangeEvent.DatabaseMessage(position, commitTime, true, prefix, content);
    }

    @Override
    public long estimatedBytes() {
      return 64 + 2L * prefix.length() + content.length;
    }
  }

  private static long tupleBytes(TupleData tuple) {
    if (tuple == null) {
      return 0;
    }
    long bytes = 32;
    for (ColumnValue value : tuple.columns()) {
      bytes += 16 + switch (value) {
        case ColumnValue.Text text -> text.length();
        case ColumnValue.Binary binary -> binary.length();
        case ColumnValue.Null ignored -> 0;
        case ColumnValue.UnchangedToast ignored -> 0;
      };
    }
    return bytes;
  }
}
