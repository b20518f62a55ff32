package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlotSqlTest {

  @Test
  void createsAPgoutputSlotWithTheNameAsAParameter() {
    assertThat(SlotSql.CREATE)
        .isEqualTo("SELECT slot_name, lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput')");
  }

  @Test
  void dropsOnlyWhatExists() {
    assertThat(SlotSql.DROP)
        .isEqualTo("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?");
  }

  @Test
  void terminatesTheActiveBackendAndWaitsWhereTheServerCan() {
    assertThat(SlotSql.terminateActiveBackend(PostgresVersion.of(170005))).isEqualTo(
        "SELECT pg_terminate_backend(active_pid, 5000) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL");
    assertThat(SlotSql.terminateActiveBackend(PostgresVersion.of(130012))).isEqualTo(
        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = ? AND active_pid IS NOT NULL");
  }

  @Test
  void readsWalStatusFrom13On() {
    assertThat(SlotSql.select(PostgresVersion.of(160004))).isEqualTo(
        "SELECT s.slot_name, s.plugin, s.slot_type, s.database, s.active, s.active_pid, s.wal_status AS wal_status, "
            + "s.restart_lsn::text, s.confirmed_flush_lsn::text, NULL::boolean AS failover, "
            + "NULL::text AS synchronized_standby_slots, NULL::text AS unusable_standby_slots, "
            + "pg_wal_lsn_diff(w.lsn, s.confirmed_flush_lsn)::bigint AS lag_bytes "
            + "FROM pg_replication_slots s, LATERAL (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() "
            + "ELSE pg_current_wal_lsn() END AS lsn) w WHERE s.slot_name = ?");
    assertThat(SlotSql.select(PostgresVersion.of(120017))).contains("NULL::text AS wal_status").doesNotContain("s.wal_status");
  }

  @Test
  void createsFailoverSlotsWithTheFlagAsAParameterAndReadsThemFrom17On() {
    assertThat(SlotSql.CREATE_WITH_FAILOVER).isEqualTo(
        "SELECT slot_name, lsn::text FROM pg_create_logical_replication_slot(?, 'pgoutput', false, false, ?)");
    assertThat(SlotSql.select(PostgresVersion.of(170005)))
        .contains("s.failover, current_setting('synchronized_standby_slots') AS synchronized_standby_slots, ")
        .contains("AS unusable_standby_slots");
  }
}
