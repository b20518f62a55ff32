package dev.slipstream.runtime.relay;

import dev.slipstream.runtime.change.TableSchema;
import dev.slipstream.runtime.change.json.PgType;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link TableSchema} inside a chunk: relation OID, schema, table, then each column's name, key
 * flag and full {@link PgType}. A built-in type travels as its OID and comes back as the same
 * instance; any other type travels with every part of it (OID, namespace, name, rendering,
 * delimiter, element type), so a follower renders its values exactly as the leader does.
 */
final class SchemaCodec {

  /** PostgreSQL identifiers are at most 63 bytes; generous, but bounded. */
  private static final int MAX_NAME_BYTES = 1024;
  private static final int BUILT_IN = 0;
  private static final int DESCRIBED = 1;
  /** Arrays of arrays do not exist in PostgreSQL (a domain over an array is still one level). */
  private static final int MAX_TYPE_DEPTH = 4;
  private static final PgType.Rendering[] RENDERINGS = PgType.Rendering.values();

  private SchemaCodec() {
  }

  static void write(ByteBuf out, TableSchema schema) {
    out.writeInt(schema.relationOid());
    Wire.writeString(out, schema.schema());
    Wire.writeString(out, schema.table());
    Wire.writeVarint(out, schema.columns().size());
    for (TableSchema.Column column : schema.columns()) {
      Wire.writeString(out, column.name());
      out.writeBoolean(column.key());
      writeType(out, column.type());
    }
  }

  static TableSchema read(ByteBuf in) {
    int oid = Wire.readInt(in, "relation OID");
    String schema = Wire.readString(in, MAX_NAME_BYTES, "schema name");
    String table = Wire.readString(in, MAX_NAME_BYTES, "table name");
    int count = Wire.readCount(in, 3, "column count");
    List<TableSchema.Column> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String name = Wire.readString(in, MAX_NAME_BYTES, "column name");
      boolean key = Wire.readUnsignedByte(in, "key flag") != 0;
      columns.add(new TableSchema.Column(name, readType(in, 0), key));
    }
    return new TableSchema(oid, schema, table, columns);
  }

  private static void writeType(ByteBuf out, PgType type) {
    if (PgType.builtIn(type.oid()) == type) {
      out.writeByte(BUILT_IN);
      out.writeInt(type.oid());
      return;
    }
    out.writeByte(DESCRIBED);
    out.writeInt(type.oid());
    Wire.writeString(out, type.namespace());
    Wire.writeString(out, type.name());
    Wire.writeString(out, type.rendering().name()); // by name: stable across versions of the enum
    out.writeByte((byte) type.delimiter());
    if (type.elementType() != null) {
      writeType(out, type.elementType());
    }
  }

  private static PgType readType(ByteBuf in, int depth) {
    if (depth > MAX_TYPE_DEPTH) {
      throw new RelayProtocolException("type nested deeper than " + MAX_TYPE_DEPTH + " levels");
    }
    int tag = Wire.readUnsignedByte(in, "type tag");
    int oid = Wire.readInt(in, "type OID");
    if (tag == BUILT_IN) {
      PgType type = PgType.builtIn(oid);
      if (type == null) {
        throw new RelayProtocolException("type OID " + Integer.toUnsignedString(oid) + " is not a built-in type");
      }
      return type;
    }
    if (tag != DESCRIBED) {
      throw new RelayProtocolException("unknown type tag " + tag);
    }
    String namespace = Wire.readString(in, MAX_NAME_BYTES, "type namespace");
    String name = Wire.readString(in, MAX_NAME_BYTES, "type name");
    PgType.Rendering rendering = rendering(Wire.readString(in, 16, "type rendering"));
    char delimiter = (char) Wire.readUnsignedByte(in, "array delimiter");
    PgType element = rendering == PgType.Rendering.ARRAY ? readType(in, depth + 1) : null;
    return PgType.of(oid, namespace, name, rendering, element, delimiter);
  }

  private static PgType.Rendering rendering(String name) {
    for (PgType.Rendering rendering : RENDERINGS) {
      if (rendering.name().equals(name)) {
        return rendering;
      }
    }
    throw new RelayProtocolException("unknown type rendering " + name);
  }
}
