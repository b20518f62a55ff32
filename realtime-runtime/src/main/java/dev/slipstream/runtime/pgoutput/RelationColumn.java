package dev.slipstream.runtime.pgoutput;

import java.util.Objects;

/**
 * One column of a Relation message, in table order (the order of every TupleData of that
 * relation).
 *
 * @param flags the raw Int8 flags; bit 1 marks a column of the replica identity key
 * @param name the column name
 * @param typeOid the column's data type OID, an unsigned 32-bit value held in an {@code int}
 * @param typeModifier the type modifier ({@code atttypmod}), -1 when there is none
 */
public record RelationColumn(int flags, String name, int typeOid, int typeModifier) {

  /** {@code LOGICALREP_IS_REPLICA_IDENTITY} in PostgreSQL's proto.c. */
  public static final int KEY_FLAG = 1;

  public RelationColumn {
    Objects.requireNonNull(name, "name");
  }

  /** Whether the column is part of the replica identity (sent in 'K' old tuples). */
  public boolean isKey() {
    return (flags & KEY_FLAG) != 0;
  }
}
