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
   * {@link #CREATE} with the failover flag as a second parameter (PostgreSQL 17+): not temporary,
   * no two-phase decoding (the runtime does not ask for prepared transactions).
   */
  public static final String CREATE_WITH_FAILOVER =
      "SELECT slot_name, lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput', false, false, ?)";

  /**
   * The names in the primary's {@code synchronized_standby_slots} that are not usable physical
   * slots (absent, logical, or lost): a logical walsender of a failover slot waits for each name
   * listed and, for these, waits for ever, so the tenant's changes stall. Slot names are
   * {@code [a-z0-9_]}, so dropping the optional double quotes of the list's syntax is enough.
   */
  private static final String UNUSABLE_STANDBY_SLOTS = "(SELECT string_agg(n.name, ',' ORDER BY n.ord) "
      + "FROM unnest(string_to_array(current_setting('synchronized_standby_slots'), ',')) WITH ORDINALITY AS l(raw, ord), "
      + "LATERAL (SELECT btrim(l.raw, ' \"') AS name, l.ord) n "
      + "WHERE n.name <> '' AND NOT EXISTS (SELECT 1 FROM pg_replication_slots p WHERE p.slot_name = n.name "
      + "AND p.slot_type = 'physical' AND p.wal_status IS DISTINCT FROM 'lost'))";

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
   * One slot's state, with the primary's failover settings (PostgreSQL 17+). Lag is measured against the current WAL position, or the last replayed one
   * on a standby (PostgreSQL 16 can hold logical slots there, and pg_current_wal_lsn() fails during
   * recovery).
   */
  public static String select(PostgresVersion version) {
    String walStatus = version.atLeast(PostgresVersion.SLOT_WAL_STATUS) ? "s.wal_status" : "NULL::text";
    boolean failoverSlots = version.atLeast(PostgresVersion.FAILOVER_SLOTS);
    String failover = failoverSlots
        ? "s.failover, current_setting('synchronized_standby_slots') AS synchronized_standby_slots, "
            + UNUSABLE_STANDBY_SLOTS + " AS unusable_standby_slots"
        : "NULL::boolean AS failover, NULL::text AS synchronized_standby_slots, NULL::text AS unusable_standby_slots";
    return "SELECT s.slot_name, s.plugin, s.slot_type, s.database, s.active, s.active_pid, "
        + walStatus + " AS wal_status, s.restart_lsn::text, s.confirmed_flush_lsn::text, " + failover + ", "
        + "pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint AS lag_bytes "
        + "FROM pg_replication_slots s, "
        + "LATERAL (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END AS lsn) w "
        + "WHERE s.slot_name = ?";
  }
}
