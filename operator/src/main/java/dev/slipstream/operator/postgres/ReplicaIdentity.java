package dev.slipstream.operator.postgres;

import java.util.Locale;

/** A table's REPLICA IDENTITY ({@code pg_class.relreplident}): what old-row data its updates and deletes log. */
public enum ReplicaIdentity {
  /** {@code d}: the primary key's columns (none when the table has no primary key). */
  DEFAULT('d'),
  /** {@code f}: the whole old row. */
  FULL('f'),
  /** {@code i}: the columns of the index chosen with {@code REPLICA IDENTITY USING INDEX}. */
  INDEX('i'),
  /** {@code n}: nothing. */
  NOTHING('n');

  private final char code;

  ReplicaIdentity(char code) {
    this.code = code;
  }

  public static ReplicaIdentity fromCode(String relreplident) {
    if (relreplident != null && relreplident.length() == 1) {
      for (ReplicaIdentity identity : values()) {
        if (identity.code == relreplident.charAt(0)) {
          return identity;
        }
      }
    }
    throw new IllegalArgumentException("unknown pg_class.relreplident: " + relreplident);
  }

  /** {@code default}, {@code full}, {@code index} or {@code nothing}, as status reports it. */
  public String statusName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
