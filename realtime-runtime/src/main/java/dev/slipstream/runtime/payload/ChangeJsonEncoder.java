package dev.slipstream.runtime.payload;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.runtime.change.ChangeEvent.TableTruncate;
import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.change.json.ValueJsonWriter;
import dev.slipstream.runtime.pgoutput.ColumnValue;
import dev.slipstream.runtime.pgoutput.TupleData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;

/**
 * Serialises a change once per shape, as UTF-8 JSON:
 * <ul>
 *   <li>{@link #clientShape}: what realtime-js hands an application, and what SSE sends:
 *       {@code {schema, table, commit_timestamp, eventType, new, old, errors}};
 *   <li>{@link #wireShape}: what Supabase Realtime puts in a {@code postgres_changes} push, which
 *       realtime-js turns into the former: {@code {schema, table, commit_timestamp, type, columns,
 *       record, old_record, errors}}.
 * </ul>
 * {@code old} holds the replica identity columns of the old row (all columns under REPLICA
 * IDENTITY FULL). A TOASTed value an UPDATE did not change is not in the message: it is taken
 * from the old row when that has it, and otherwise left out of {@code new} (never shown as null).
 *
 * <p>A row whose change would encode to more than {@link #MAX_RECORD_BYTES} is sent as Supabase
 * Realtime sends it: {@code new}/{@code record} and {@code old}/{@code old_record} keep only the
 * values of at most {@link #MAX_TRIMMED_VALUE_BYTES} bytes, and {@code errors} is
 * {@code ["Error 413: Payload Too Large"]}, so the client learns that the row changed and can
 * fetch it. Encoding stops as soon as the limit is passed: a 50 MB value costs no 50 MB of JSON.
 *
 * <p>Not thread-safe: one per dispatching thread (it reuses its buffers).
 */
public final class ChangeJsonEncoder {

  /** Supabase Realtime's default {@code max_record_bytes}. */
  public static final int MAX_RECORD_BYTES = 1 << 20;
  /** What Supabase keeps of a row over the limit: values of at most this many bytes. */
  public static final int MAX_TRIMMED_VALUE_BYTES = 64;
  static final String PAYLOAD_TOO_LARGE = "Error 413: Payload Too Large";

  private static final JsonFactory JSON = new JsonFactory();
  // Field names written for every change, quoted and UTF-8 encoded once.
  private static final SerializableString SCHEMA = new SerializedString("schema");
  private static final SerializableString TABLE = new SerializedString("table");
  private static final SerializableString COMMIT_TIMESTAMP = new SerializedString("commit_timestamp");
  private static final SerializableString TYPE = new SerializedString("type");
  private static final SerializableString EVENT_TYPE = new SerializedString("eventType");
  private static final SerializableString RECORD = new SerializedString("record");
  private static final SerializableString OLD_RECORD = new SerializedString("old_record");
  private static final SerializableString NEW = new SerializedString("new");
  private static final SerializableString OLD = new SerializedString("old");
  private static final SerializableString ERRORS = new SerializedString("errors");
  private static final SerializableString COLUMNS = new SerializedString("columns");

  private final ValueJsonWriter values = new ValueJsonWriter();
  private final LimitedBuffer buffer = new LimitedBuffer();
  /** Whether the row being encoded is over the limit: only small values, and the error. */
  private boolean trimmed;
  /** The last table's column names, encoded once: consecutive changes are mostly of one table. */
  private TableSchema namesOf;
  private SerializableString[] names;
  /** The last table's {@code columns} array, as JSON text. */
  private TableSchema columnsOf;
  private SerializableString columnsJson;
  /** The last commit time and its text: a transaction's changes share it. */
  private Instant formattedTime;
  private String formattedText;

  public byte[] clientShape(ChangeEvent event) {
    return encode(event, false);
  }

  public byte[] wireShape(ChangeEvent event) {
    return encode(event, true);
  }

  private byte[] encode(ChangeEvent event, boolean wire) {
    try {
      return encode(event, wire, false);
    } catch (LimitedBuffer.Full full) {
      return encode(event, wire, true);
    }
  }

  private byte[] encode(ChangeEvent event, boolean wire, boolean trim) {
    trimmed = trim;
    buffer.reset(trim ? Integer.MAX_VALUE : MAX_RECORD_BYTES);
    try (JsonGenerator gen = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
      switch (event) {
        case RowChange row -> row(gen, row, wire);
        case TableTruncate truncate -> truncate(gen, truncate, wire);
        case ChangeEvent.DatabaseMessage message ->
            throw new IllegalArgumentException("database messages are not postgres_changes: " + message.prefix());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private void row(JsonGenerator gen, RowChange row, boolean wire) throws IOException {
    gen.writeStartObject();
    header(gen, row.table(), row.type().name(), row, wire);
    if (wire) {
      columns(gen, row.table());
      if (row.record() != null) {
        gen.writeFieldName(RECORD);
        newRecord(gen, row.table(), row.record(), row.oldRecord());
      }
      if (row.oldRecord() != null) {
        gen.writeFieldName(OLD_RECORD);
        oldRecord(gen, row.table(), row.oldRecord());
      }
    } else {
      gen.writeFieldName(NEW);
      if (row.record() != null) {
        newRecord(gen, row.table(), row.record(), row.oldRecord());
      } else {
        gen.writeStartObject();
        gen.writeEndObject();
      }
      gen.writeFieldName(OLD);
      if (row.oldRecord() != null) {
        oldRecord(gen, row.table(), row.oldRecord());
      } else {
        gen.writeStartObject();
        gen.writeEndObject();
      }
    }
    errors(gen);
    gen.writeEndObject();
  }

  private void errors(JsonGenerator gen) throws IOException {
    if (trimmed) {
      gen.writeArrayFieldStart("errors");
      gen.writeString(PAYLOAD_TOO_LARGE);
      gen.writeEndArray();
    } else {
      gen.writeFieldName(ERRORS);
      gen.writeNull();
    }
  }

  /** Whether {@code value} is left out of a row over the limit. */
  private boolean leftOut(ColumnValue value) {
    return trimmed && value instanceof ColumnValue.Text text && text.length() > MAX_TRIMMED_VALUE_BYTES;
  }

  private void truncate(JsonGenerator gen, TableTruncate truncate, boolean wire) throws IOException {
    gen.writeStartObject();
    TableSchema first = truncate.tables().getFirst();
    header(gen, first, "TRUNCATE", truncate, wire);
    if (wire) {
      columns(gen, first);
    } else {
      gen.writeFieldName("new");
      gen.writeStartObject();
      gen.writeEndObject();
      gen.writeFieldName("old");
      gen.writeStartObject();
      gen.writeEndObject();
    }
    gen.writeNullField("errors");
    gen.writeEndObject();
  }

  private void header(JsonGenerator gen, TableSchema table, String type, ChangeEvent event, boolean wire)
      throws IOException {
    gen.writeFieldName(SCHEMA);
    gen.writeString(table.schema());
    gen.writeFieldName(TABLE);
    gen.writeString(table.table());
    gen.writeFieldName(COMMIT_TIMESTAMP);
    gen.writeString(commitText(event.commitTime()));
    gen.writeFieldName(wire ? TYPE : EVENT_TYPE);
    gen.writeString(type);
  }

  private String commitText(Instant time) {
    if (!time.equals(formattedTime)) {
      formattedText = DateTimeFormatter.ISO_INSTANT.format(time);
      formattedTime = time;
    }
    return formattedText;
  }

  /** The column's name as a JSON field name, encoded once per table (schema) met in a row. */
  private SerializableString name(TableSchema table, int column) {
    if (table != namesOf) {
      names = new SerializableString[table.columns().size()];
      for (int i = 0; i < names.length; i++) {
        names[i] = new SerializedString(table.columns().get(i).name());
      }
      namesOf = table;
    }
    return names[column];
  }

  /** The wire shape's {@code columns}: the same for every change of a table, so written once per table (schema). */
  private void columns(JsonGenerator gen, TableSchema table) throws IOException {
    if (table != columnsOf) {
      java.io.StringWriter text = new java.io.StringWriter();
      try (JsonGenerator array = JSON.createGenerator(text)) {
        array.writeStartArray();
        for (TableSchema.Column column : table.columns()) {
          array.writeStartObject();
          array.writeStringField("name", column.name());
          array.writeStringField("type", column.type().name());
          array.writeEndObject();
        }
        array.writeEndArray();
      }
      columnsJson = new SerializedString(text.toString());
      columnsOf = table;
    }
    gen.writeFieldName(COLUMNS);
    gen.writeRawValue(columnsJson);
  }


  private void newRecord(JsonGenerator gen, TableSchema table, TupleData record, TupleData old) throws IOException {
    gen.writeStartObject();
    for (int i = 0; i < record.size(); i++) {
      ColumnValue value = record.get(i);
      // Only from a value the old row really holds: a key-only ('K') old row has NULL in every
      // non-key column, which means "not sent", not NULL.
      if (value instanceof ColumnValue.UnchangedToast && old != null
          && (old.get(i) instanceof ColumnValue.Text || old.get(i) instanceof ColumnValue.Binary)) {
        value = old.get(i);
      }
      if (!(value instanceof ColumnValue.UnchangedToast) && !leftOut(value)) {
        gen.writeFieldName(name(table, i));
        value(gen, table.columns().get(i), value);
      }
    }
    gen.writeEndObject();
  }

  private void oldRecord(JsonGenerator gen, TableSchema table, TupleData old) throws IOException {
    gen.writeStartObject();
    for (int i = 0; i < old.size(); i++) {
      TableSchema.Column column = table.columns().get(i);
      ColumnValue value = old.get(i);
      // A key tuple ('K') has NULL for every non-key column: those are unknown, not NULL.
      if (column.key() || !(value instanceof ColumnValue.Null)) {
        if (!(value instanceof ColumnValue.UnchangedToast) && !leftOut(value)) {
          gen.writeFieldName(name(table, i));
          value(gen, column, value);
        }
      }
    }
    gen.writeEndObject();
  }

  private void value(JsonGenerator gen, TableSchema.Column column, ColumnValue value) throws IOException {
    switch (value) {
      case ColumnValue.Text text -> values.write(gen, column.type(), text.sharedBytes());
      case ColumnValue.Null ignored -> gen.writeNull();
      case ColumnValue.Binary ignored -> gen.writeNull(); // binary mode is never requested
      case ColumnValue.UnchangedToast ignored -> gen.writeNull();
    }
  }
}
