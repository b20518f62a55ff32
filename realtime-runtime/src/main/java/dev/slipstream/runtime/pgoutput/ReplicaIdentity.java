package dev.slipstream.runtime.pgoutput;

import java.util.Optional;

/**
 * A table's replica identity as sent in the Relation message ({@code pg_class.relreplident}). It
 * decides what old row, if any, Update and Delete carry.
 */
public enum ReplicaIdentity {
  /** 'd': the primary key; old key columns are sent when they change or the row is deleted. */
  DEFAULT('d'),
  /** 'n': no old row information at all. */
  NOTHING('n'),
  /** 'f': every column of the old row (REPLICA IDENTITY FULL). */
  FULL('f'),
  /** 'i': the columns of the index named in REPLICA IDENTITY USING INDEX. */
  INDEX('i');

  private final char code;

  ReplicaIdentity(char code) {
    this.code = code;
  }

  /** The {@code relreplident} character. */
  public char code() {
    return code;
  }

  /** The identity for a wire byte, or empty for a byte PostgreSQL does not define. */
  public static Optional<ReplicaIdentity> fromCode(int code) {
    for (ReplicaIdentity identity : values()) {
      if (identity.code == code) {
        return Optional.of(identity);
      }
    }
    return Optional.empty();
  }
}
