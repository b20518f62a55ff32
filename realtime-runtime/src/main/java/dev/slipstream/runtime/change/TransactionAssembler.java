package dev.slipstream.runtime.change;

import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.OldTuple;
import dev.slipstream.runtime.pgoutput.PgOutputMessage;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Begin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Commit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Delete;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Insert;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.LogicalMessage;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Origin;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Relation;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamAbort;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamCommit;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStart;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.StreamStop;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Truncate;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Type;
import dev.slipstream.runtime.pgoutput.PgOutputMessage.Update;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns decoded pgoutput messages into {@link ChangeEvent}s in commit order.
 *
 * <p>Ordinary transactions arrive whole, after their commit (pgoutput decodes at commit), so their
 * changes are handed on as they come: Begin already carries the commit LSN and time, nothing is
 * buffered. Streamed transactions ({@code streaming=on}) arrive in blocks before they commit and
 * are held in {@link StreamedTransactions}, bounded in memory, until Stream Commit or Stream Abort.
 *
 * <p>Keeps the relation and type caches: a Relation message (sent before a table's first change
 * and after every schema change) replaces the table's {@link TableSchema}, and each change is
 * bound to the schema current when it was decoded. Owned by the replication thread.
 */
public final class TransactionAssembler implements AutoCloseable {

  private final ChangeSink sink;
  private final Clock clock;
  private final StreamedTransactions streamed;
  private final Map<Integer, TableSchema> relations = new HashMap<>();
  private final Map<Integer, PgType> types = new HashMap<>();

  private boolean inTransaction;
  private long commitLsn;
  private Instant commitTime;
  private int nextIndex;
  private long streamingXid = -1;

  /**
   * @param streamedMemoryLimitBytes bound on buffered streamed-transaction changes in memory
   * @param spillDirectory where larger streamed transactions are written until they commit
   */
  public TransactionAssembler(ChangeSink sink, long streamedMemoryLimitBytes, Path spillDirectory, Clock clock) {
    this.sink = sink;
    this.clock = clock;
    this.streamed = new StreamedTransactions(streamedMemoryLimitBytes, spillDirectory);
  }

  public void accept(PgOutputMessage message) {
    switch (message) {
      case Begin begin -> {
        inTransaction = true;
        commitLsn = begin.finalLsn();
        commitTime = begin.commitTime();
        nextIndex = 0;
      }
      case Commit commit -> {
        inTransaction = false;
        sink.committed(commit.endLsn());
      }
      case Origin ignored -> {
        // Replication origins matter to multi-master setups; a change's origin is not shown to clients.
      }
      case Relation relation -> relations.put(relation.relationOid(), schemaOf(relation));
      case Type type -> types.put(type.typeOid(), PgType.userDefined(type.typeOid(), namespaceOf(type.namespace()), type.name()));
      case Insert insert -> change(insert.streamXid(),
          new PendingChange.Row(ChangeType.INSERT, table(insert.relationOid()), insert.newTuple(), null));
      case Update update -> change(update.streamXid(), new PendingChange.Row(ChangeType.UPDATE,
          table(update.relationOid()), update.newTuple(), oldTuple(update.oldTuple())));
      case Delete delete -> change(delete.streamXid(), new PendingChange.Row(ChangeType.DELETE,
          table(delete.relationOid()), null, oldTuple(delete.oldTuple())));
      case Truncate truncate -> {
        // One event per table, as Supabase sends them: the JSON of a change names one table, and
        // each table's subscribers must be told about their own.
        List<TableSchema> tables = truncate.relationOids().stream().map(this::table).toList();
        for (TableSchema table : tables) {
          change(truncate.streamXid(), new PendingChange.Truncate(List.of(table), truncate.cascade(),
              truncate.restartIdentity()));
        }
      }
      case LogicalMessage logical -> logicalMessage(logical);
      case StreamStart start -> streamingXid = start.xid();
      case StreamStop ignored -> streamingXid = -1;
      case StreamCommit commit -> {
        EventPositions positions = new EventPositions(commit.commitLsn());
        Instant time = commit.commitTime();
        streamed.commit(commit.xid(), change -> sink.accept(change.toEvent(positions.next(), time)));
        sink.committed(commit.endLsn());
      }
      case StreamAbort abort -> streamed.abort(abort.xid(), abort.subXid());
    }
  }

  /**
   * Between transactions: nothing begun and not committed, no streamed transaction open. Only then
   * may the reader confirm a position the server reported beyond the last commit (a keepalive's).
   */
  public boolean idle() {
    return !inTransaction && streamingXid < 0 && streamed.openTransactions() == 0;
  }

  /** Bytes of streamed changes held in memory right now, and the most ever held. */
  public long streamedBytesInMemory() {
    return streamed.bufferedBytes();
  }

  public long peakStreamedBytesInMemory() {
    return streamed.peakBufferedBytes();
  }

  public long spilledChanges() {
    return streamed.spilledChanges();
  }

  private void change(long streamXid, PendingChange change) {
    if (streamingXid >= 0) {
      streamed.add(streamingXid, streamXid, change);
    } else if (inTransaction) {
      sink.accept(change.toEvent(new EventPosition(commitLsn, nextIndex++), commitTime));
    } else {
      throw new IllegalStateException("a change arrived outside any transaction: " + change);
    }
  }

  private void logicalMessage(LogicalMessage logical) {
    if (logical.transactional()) {
      change(logical.streamXid(), new PendingChange.Message(logical.prefix(), logical.content()));
    } else {
      // Not part of a transaction: delivered at once, positioned at its own LSN. Every transaction
      // that committed before it was handed over already, so the slot may move up to it: this is
      // what lets a heartbeat message advance the slot of a database whose tables are idle.
      sink.accept(new ChangeEvent.DatabaseMessage(new EventPosition(logical.lsn(), 0), clock.instant(), false,
          logical.prefix(), logical.content()));
      if (!inTransaction) {
        sink.committed(logical.lsn());
      }
    }
  }

  private TableSchema table(int relationOid) {
    TableSchema table = relations.get(relationOid);
    if (table == null) {
      // pgoutput always sends a Relation before a table's first change on a connection.
      throw new IllegalStateException("change for relation " + Integer.toUnsignedString(relationOid)
          + " before its Relation message");
    }
    return table;
  }

  private TableSchema schemaOf(Relation relation) {
    List<TableSchema.Column> columns = new ArrayList<>(relation.columns().size());
    for (var column : relation.columns()) {
      PgType type = PgType.builtIn(column.typeOid());
      if (type == null) {
        // pgoutput sends a Type message before the Relation that first uses a non-built-in type.
        type = types.getOrDefault(column.typeOid(), PgType.of(column.typeOid()));
      }
      columns.add(new TableSchema.Column(column.name(), type, column.isKey()));
    }
    return new TableSchema(relation.relationOid(), namespaceOf(relation.namespace()), relation.name(), columns);
  }

  /** pgoutput sends an empty namespace for pg_catalog. */
  private static String namespaceOf(String namespace) {
    return namespace.isEmpty() ? "pg_catalog" : namespace;
  }

  private static TupleData oldTuple(OldTuple old) {
    return old == null ? null : old.tuple();
  }

  @Override
  public void close() {
    streamed.close();
  }

  /** Positions within one committed transaction: its commit LSN, then 0, 1, 2, ... */
  private static final class EventPositions {
    private final long commitLsn;
    private int next;

    EventPositions(long commitLsn) {
      this.commitLsn = commitLsn;
    }

    EventPosition next() {
      return new EventPosition(commitLsn, next++);
    }
  }
}
