package dev.slipstream.operator.postgres;

/**
 * A server's version as {@code server_version_num} (for comparisons) and {@code server_version}
 * (for people).
 *
 * @param number {@code server_version_num}, e.g. 140011 for 14.11, 90624 for 9.6.24
 * @param text {@code server_version}, e.g. {@code 14.11 (Debian 14.11-1.pgdg120+2)}; may be null
 */
public record PostgresVersion(int number, String text) {

  /** Logical replication and the pgoutput plugin. */
  public static final int LOGICAL_REPLICATION = 100000;
  /** {@code publish = 'truncate'} and {@code pg_publication.pubtruncate}. */
  public static final int PUBLISH_TRUNCATE = 110000;
  /** {@code pg_replication_slots.wal_status}. */
  public static final int SLOT_WAL_STATUS = 130000;
  /** {@code pg_terminate_backend(pid, timeout)} waits for the backend to exit. */
  public static final int TERMINATE_WAITS = 140000;
  /** Column lists, row filters and {@code TABLES IN SCHEMA}. */
  public static final int PUBLICATION_FILTERS = 150000;
  /** Failover slots: {@code pg_replication_slots.failover}, {@code synchronized_standby_slots}. */
  public static final int FAILOVER_SLOTS = 170000;

  public static PostgresVersion of(int number) {
    return new PostgresVersion(number, null);
  }

  public boolean atLeast(int versionNumber) {
    return number >= versionNumber;
  }

  /**
   * {@code 14.11}, {@code 9.6.24} or {@code 18beta1}: the version as PostgreSQL names it, without
   * the packager's suffix.
   */
  public String display() {
    if (text != null && !text.isBlank()) {
      return text.strip().split("\\s+", 2)[0];
    }
    if (number >= 100000) {
      return number / 10000 + "." + number % 10000;
    }
    return number / 10000 + "." + number / 100 % 100 + "." + number % 100;
  }

  @Override
  public String toString() {
    return display();
  }
}
