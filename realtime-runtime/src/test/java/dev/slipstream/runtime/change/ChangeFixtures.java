package dev.slipstream.runtime.change;

import dev.slipstream.runtime.change.ChangeEvent.DatabaseMessage;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.json.PgType;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tables, rows and events for unit tests, shaped like what the assembler builds from pgoutput: a
 * chat application's {@code public.messages} and {@code public.rooms}.
 */
public final class ChangeFixtures {

  /** A commit time with microseconds, as PostgreSQL has them. */
  public static final Instant COMMIT_TIME = Instant.parse("2025-03-14T09:26:53.589793Z");

  /** {@code public.messages (id int8 primary key, room text, body text, score numeric, pinned bool)}. */
  public static final TableSchema MESSAGES = table(16390, "public", "messages",
      key("id", PgType.INT8), column("room", PgType.TEXT), column("body", PgType.TEXT),
      column("score", PgType.NUMERIC), column("pinned", PgType.BOOL));

  /** {@code public.rooms (id int4 primary key, name text)}. */
  public static final TableSchema ROOMS = table(16400, "public", "rooms",
      key("id", PgType.INT4), column("name", PgType.TEXT));

  /** {@code billing.invoices (id int8 primary key, room text, total numeric)}: another schema. */
  public static final TableSchema INVOICES = table(16500, "billing", "invoices",
      key("id", PgType.INT8), column("room", PgType.TEXT), column("total", PgType.NUMERIC));

  private ChangeFixtures() {
  }

  public static TableSchema.Column key(String name, PgType type) {
    return new TableSchema.Column(name, type, true);
  }

  public static TableSchema.Column column(String name, PgType type) {
    return new TableSchema.Column(name, type, false);
  }

  public static TableSchema table(int oid, String schema, String name, TableSchema.Column... columns) {
    return new TableSchema(oid, schema, name, List.of(columns));
  }

  /**
   * A tuple from values: a {@link String} is a text value, {@code null} is SQL NULL, a
   * {@link ColumnValue} (for example {@link ColumnValue#UNCHANGED_TOAST}) is taken as is.
   */
  public static TupleData tuple(Object... values) {
    List<ColumnValue> columns = new ArrayList<>(values.length);
    for (Object value : values) {
      columns.add(switch (value) {
        case null -> ColumnValue.NULL;
        case String text -> ColumnValue.Text.of(text);
        case ColumnValue column -> column;
        default -> throw new IllegalArgumentException("not a column value: " + value);
      });
    }
    return new TupleData(columns);
  }

  /** A row of {@link #MESSAGES}. */
  public static TupleData message(String id, String room, String body, String score, String pinned) {
    return tuple(id, room, body, score, pinned);
  }

  public static EventPosition position(long commitLsn, int index) {
    return new EventPosition(commitLsn, index);
  }

  public static RowChange insert(EventPosition position, TableSchema table, TupleData record) {
    return new RowChange(position, COMMIT_TIME, ChangeType.INSERT, table, record, null);
  }

  public static RowChange insert(TableSchema table, TupleData record) {
    return insert(position(0x16B3748L, 0), table, record);
  }

  public static RowChange update(EventPosition position, TableSchema table, TupleData record, TupleData old) {
    return new RowChange(position, COMMIT_TIME, ChangeType.UPDATE, table, record, old);
  }

  public static RowChange update(TableSchema table, TupleData record, TupleData old) {
    return update(position(0x16B3748L, 0), table, record, old);
  }

  public static RowChange delete(EventPosition position, TableSchema table, TupleData old) {
    return new RowChange(position, COMMIT_TIME, ChangeType.DELETE, table, null, old);
  }

  public static RowChange delete(TableSchema table, TupleData old) {
    return delete(position(0x16B3748L, 0), table, old);
  }

  public static TableTruncate truncate(EventPosition position, TableSchema... tables) {
    return new TableTruncate(position, COMMIT_TIME, List.of(tables), false, false);
  }

  public static DatabaseMessage databaseMessage(EventPosition position, String prefix, String content) {
    return new DatabaseMessage(position, COMMIT_TIME, true, prefix, content.getBytes(StandardCharsets.UTF_8));
  }

  /** Column name to value, with {@code <null>} and {@code <unchanged-toast>} for the non-text kinds. */
  public static Map<String, String> values(TableSchema table, TupleData tuple) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < tuple.size(); i++) {
      values.put(table.columns().get(i).name(), switch (tuple.get(i)) {
        case ColumnValue.Text text -> text.asString();
        case ColumnValue.Null ignored -> "<null>";
        case ColumnValue.UnchangedToast ignored -> "<unchanged-toast>";
        case ColumnValue.Binary binary -> "<binary " + Arrays.toString(binary.bytes()) + ">";
      });
    }
    return values;
  }

  /**
   * Everything an event says, as text, so that events can be compared whatever their records'
   * equality (a {@link DatabaseMessage} holds a byte array): position, commit time, kind, tables,
   * column types and values.
   */
  public static String describe(ChangeEvent event) {
    return switch (event) {
      case RowChange row -> row.position() + " " + row.commitTime() + " " + row.type() + " "
          + describe(row.table()) + " new=" + (row.record() == null ? "-" : values(row.table(), row.record()))
          + " old=" + (row.oldRecord() == null ? "-" : values(row.table(), row.oldRecord()));
      case TableTruncate truncate -> truncate.position() + " " + truncate.commitTime() + " TRUNCATE "
          + truncate.tables().stream().map(ChangeFixtures::describe).toList()
          + " cascade=" + truncate.cascade() + " restartIdentity=" + truncate.restartIdentity();
      case DatabaseMessage message -> message.position() + " " + message.commitTime() + " MESSAGE "
          + (message.transactional() ? "transactional " : "non-transactional ") + message.prefix() + " "
          + new String(message.content(), StandardCharsets.UTF_8);
    };
  }

  private static String describe(TableSchema table) {
    StringBuilder text = new StringBuilder(table.qualifiedName()).append('(');
    for (TableSchema.Column column : table.columns()) {
      text.append(column.name()).append(' ').append(column.type().name()).append(column.key() ? " key" : "").append(',');
    }
    return text.append(')').toString();
  }
}
