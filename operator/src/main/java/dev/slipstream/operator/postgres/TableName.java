package dev.slipstream.operator.postgres;

import java.util.Comparator;
import java.util.Objects;

/** A table as stored in PostgreSQL: schema and name, both case-sensitive. */
public record TableName(String schema, String name) implements Comparable<TableName> {

  private static final Comparator<TableName> ORDER =
      Comparator.comparing(TableName::schema).thenComparing(TableName::name);

  public TableName {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(name, "name");
  }

  /** {@code "schema"."name"}. */
  public String sql() {
    return Identifiers.quote(schema) + '.' + Identifiers.quote(name);
  }

  /** {@code schema.name}, unquoted, for messages and status. */
  @Override
  public String toString() {
    return schema + '.' + name;
  }

  @Override
  public int compareTo(TableName other) {
    return ORDER.compare(this, other);
  }
}
