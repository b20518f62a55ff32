package dev.slipstream.operator.postgres;

/**
 * Replication slot statements. Slot names travel as bind parameters ({@code ?}, sent as {@code $1}),
 * never as SQL text: PostgreSQL's slot functions take them as values.
 */
public final class SlotSql {

  /** Creates a logical slot for the pgoutput plugin; returns its name and consistent point. */
  public static final String CREATE =
      "SELECT slot_name, lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')";

  /**
   * Drops the slot if it exists; selecting from the view instead of calling the function directly
   * makes dropping an absent slot a no-op (zero rows) rather than an error.
   */
  public static final String DROP =
      "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?";

  private SlotSql() {
  }

  /**
   * Terminates the backend holding the slot, if any, so the slot can be dropped. From PostgreSQL
   * 14 the call waits (up to 5 s) until the backend is gone and has released the slot.
   */
  public static String terminateActiveBackend(PostgresVersion version) {
    String terminate = version.atLeast(PostgresVersion.TERMINATE_WAITS)
        ? "pg_terminate_backend(active_pid, 5000)"
        : "pg_terminate_backend(active_pid)";
    return "SELECT " + terminate + " FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL";
  }

  /**
   * One slot's state. Lag is measured against the current WAL position, or the last replayed one
   * on a standby (PostgreSQL 16 can hold logical slots there, and pg_current_wal_lsn() fails during
   * recovery).
   */
  public static String select(PostgresVersion version) {
    String walStatus = version.atLeast(PostgresVersion.SLOT_WAL_STATUS) ? "s.wal_status" : "NULL::text";
    return "SELECT s.slot_name, s.plugin, s.slot_type, s.database, s.active, s.active_pid, "
        + walStatus + " AS wal_status, s.restart_lsn::text, s.confirmed_flush_lsn::text, "
        + "pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint AS lag_bytes "
        + "FROM pg_replication_slots s, "
        + "LATERAL (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn) w "
        + "WHERE s.slot_name = ?";
  }
}
