package dev.slipstream.bench.host;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;

/**
 * The bare pipeline's one JSON encode per change: a pgoutput Insert (protocol 1, text values) as
 * the Phoenix {@code postgres_changes} push Supabase Realtime sends in serializer 2.0.0, with the
 * transaction's {@code commit_timestamp}, the columns and the record (integers as JSON numbers,
 * everything else as strings). It learns tables from pgoutput's Relation messages. No filters, no
 * type-aware rendering beyond that: the least a server must do to tell a client what changed.
 */
final class PushEncoder {

  private static final JsonFactory JSON = new JsonFactory();
  private static final int INT8 = 20;
  private static final int INT2 = 21;
  private static final int INT4 = 23;

  private record Relation(String schema, String table, String[] names, int[] types) {
  }

  private final Map<Integer, Relation> relations = new HashMap<>();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
  private final String topic;

  PushEncoder(String topic) {
    this.topic = topic;
  }

  /** Remembers the table of a Relation message ('R'). */
  void relation(ByteBuffer m) {
    int p = m.position() + 1;
    int id = m.getInt(p);
    p += 4;
    String[] schema = new String[1];
    p = cstring(m, p, schema);
    String[] table = new String[1];
    p = cstring(m, p, table);
    p++; // replica identity
    int count = m.getShort(p);
    p += 2;
    String[] names = new String[count];
    int[] types = new int[count];
    for (int i = 0; i < count; i++) {
      p++; // flags
      String[] name = new String[1];
      p = cstring(m, p, name);
      names[i] = name[0];
      types[i] = m.getInt(p);
      p += 8; // type oid, type modifier
    }
    relations.put(id, new Relation(schema[0], table[0], names, types));
  }

  /** The table name of an Insert message's relation, or null before its Relation message. */
  String table(ByteBuffer insert) {
    Relation r = relations.get(insert.getInt(insert.position() + 1));
    return r == null ? null : r.table();
  }

  /** The push for an Insert message ('I'), as UTF-8 JSON. */
  byte[] insert(ByteBuffer m, long commitMicros) {
    Relation r = relations.get(m.getInt(m.position() + 1));
    int p = m.position() + 1 + 4 + 1; // 'I', relation id, 'N'
    int count = m.getShort(p);
    p += 2;
    buffer.reset();
    try (JsonGenerator gen = JSON.createGenerator(buffer, JsonEncoding.UTF8)) {
      gen.writeStartArray();
      gen.writeNull();
      gen.writeNull();
      gen.writeString(topic);
      gen.writeString("postgres_changes");
      gen.writeStartObject();
      gen.writeArrayFieldStart("ids");
      gen.writeNumber(r.table().hashCode() & 0x7fffffff);
      gen.writeEndArray();
      gen.writeObjectFieldStart("data");
      gen.writeStringField("schema", r.schema());
      gen.writeStringField("table", r.table());
      gen.writeStringField("commit_timestamp", DateTimeFormatter.ISO_INSTANT.format(
          Instant.ofEpochSecond(Math.floorDiv(commitMicros, 1_000_000L), Math.floorMod(commitMicros, 1_000_000L) * 1000)));
      gen.writeStringField("type", "INSERT");
      gen.writeArrayFieldStart("columns");
      for (int i = 0; i < r.names().length; i++) {
        gen.writeStartObject();
        gen.writeStringField("name", r.names()[i]);
        gen.writeNumberField("type", r.types()[i]);
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeObjectFieldStart("record");
      for (int i = 0; i < count; i++) {
        byte kind = m.get(p++);
        gen.writeFieldName(r.names()[i]);
        if (kind != 't') {
          gen.writeNull(); // 'n' null, 'u' unchanged TOAST (never in an Insert)
          continue;
        }
        int length = m.getInt(p);
        p += 4;
        String text = new String(m.array(), m.arrayOffset() + p, length, StandardCharsets.UTF_8);
        p += length;
        int type = r.types()[i];
        if (type == INT2 || type == INT4 || type == INT8) {
          gen.writeNumber(text);
        } else {
          gen.writeString(text);
        }
      }
      gen.writeEndObject();
      gen.writeNullField("errors");
      gen.writeEndObject();
      gen.writeEndObject();
      gen.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private static int cstring(ByteBuffer m, int p, String[] out) {
    int end = p;
    while (m.get(end) != 0) {
      end++;
    }
    out[0] = new String(m.array(), m.arrayOffset() + p, end - p, StandardCharsets.UTF_8);
    return end + 1;
  }
}
