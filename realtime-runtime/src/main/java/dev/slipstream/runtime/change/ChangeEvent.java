package dev.slipstream.runtime.change;

import dev.slipstream.runtime.pgoutput.TupleData;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One committed change, decoded once and shared by every subscriber. Immutable.
 */
public sealed interface ChangeEvent {

  EventPosition position();

  Instant commitTime();

  /**
   * An inserted, updated or deleted row.
   *
   * @param record the new row (INSERT, UPDATE); null for DELETE
   * @param oldRecord the old row: the whole row under REPLICA IDENTITY FULL, otherwise only its
   *     key columns (others NULL), and for an UPDATE only when a key column changed; else null
   */
  record RowChange(EventPosition position, Instant commitTime, ChangeType type, TableSchema table,
      TupleData record, TupleData oldRecord) implements ChangeEvent {
    public RowChange {
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(table, "table");
      if (type == ChangeType.TRUNCATE) {
        throw new IllegalArgumentException("a truncate is a TableTruncate, not a RowChange");
      }
    }
  }

  /** TRUNCATE of one or more tables in one statement. */
  record TableTruncate(EventPosition position, Instant commitTime, List<TableSchema> tables,
      boolean cascade, boolean restartIdentity) implements ChangeEvent {
    public TableTruncate {
      Objects.requireNonNull(position, "position");
      tables = List.copyOf(tables);
    }
  }

  /**
   * A message written with {@code pg_logical_emit_message(transactional, prefix, content)}.
   * Non-transactional messages have no commit: their position is their own LSN and their commit
   * time is when the runtime received them.
   */
  record DatabaseMessage(EventPosition position, Instant commitTime, boolean transactional,
      String prefix, byte[] content) implements ChangeEvent {
    public DatabaseMessage {
      Objects.requireNonNull(position, "position");
      Objects.requireNonNull(prefix, "prefix");
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }
  }
}
