package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Failover slots against a real PostgreSQL 17 primary and its streaming standby: the operator's
 * slot is created with {@code failover = true} when asked, the standby keeps a synchronized copy
 * of it, the slot's state carries the primary's {@code synchronized_standby_slots} and the names in
 * it that are not usable physical slots, and an existing slot becomes a failover slot in place
 * ({@code ALTER_REPLICATION_SLOT}), even while it is being streamed.
 */
class FailoverSlotIT {

  private static final String STANDBY_SLOT = "standby_slot";

  @RegisterExtension
  static final TestPostgres primary = TestPostgres.logical();

  private static TestPostgres standby;

  @BeforeAll
  static void standby() {
    primary.execute("SELECT pg_create_physical_replication_slot('" + STANDBY_SLOT + "', true)",
        "CREATE TABLE events (id bigserial PRIMARY KEY, body text)");
    standby = TestPostgres.standbyOf(primary, STANDBY_SLOT, "failover_standby").start();
    primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'", "SELECT pg_reload_conf()");
    await().atMost(Duration.ofSeconds(60)).until(() -> query(primary,
        "SELECT state FROM pg_stat_replication WHERE application_name = 'failover_standby'"), "streaming"::equals);
  }

  @AfterAll
  static void stopStandby() {
    if (standby != null) {
      standby.stop();
    }
  }

  @Test
  void aFailoverSlotIsCreatedAndTheStandbyKeepsACopy() throws Exception {
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(primary))) {
      SlotState created = db.createSlot("kept_slot", true);

      assertThat(created.failover()).isTrue();
      assertThat(created.standbySlots().setting()).isEqualTo(STANDBY_SLOT);
      assertThat(created.standbySlots().unusable()).isEmpty();
      assertThat(db.createSlot("local_slot", false).failover()).isFalse();
    }
    // The standby's copy stays temporary until the primary's slot moves past where the copy began
    // (PostgreSQL 17 slotsync: the remote slot must not precede the local one), and the copy may
    // begin after any one move: so keep writing and consuming, as a runtime would, until it is kept.
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
      primary.execute("INSERT INTO events (body) VALUES ('after the slots')",
          "SELECT pg_replication_slot_advance('kept_slot', pg_current_wal_lsn())");
      return query(standby, "SELECT synced::text || ',' || failover::text || ',' || temporary::text "
          + "FROM pg_replication_slots WHERE slot_name = 'kept_slot'");
    }, "true,true,false"::equals);
    assertThat(query(standby, "SELECT count(*)::text FROM pg_replication_slots WHERE slot_name = 'local_slot'"))
        .as("a slot that is not a failover slot is not copied").isEqualTo("0");
  }

  /**
   * PostgreSQL refuses to list a slot that does not exist, but not to drop one that is listed (nor
   * does it stop the WAL of a listed one from being lost): failover slots then wait for ever.
   */
  @Test
  void aListedStandbySlotThatWasDroppedIsReported() {
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(primary))) {
      db.createSlot("waiting_slot", true);
      primary.execute("SELECT pg_create_physical_replication_slot('doomed_slot')",
          "ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + ", \"doomed_slot\"'",
          "SELECT pg_reload_conf()");
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(db.slot("waiting_slot").orElseThrow()
          .standbySlots().setting()).isEqualTo(STANDBY_SLOT + ", \"doomed_slot\""));
      assertThat(db.slot("waiting_slot").orElseThrow().standbySlots().unusable()).isEmpty();

      primary.execute("SELECT pg_drop_replication_slot('doomed_slot')");
      assertThat(db.slot("waiting_slot").orElseThrow().standbySlots().unusable()).containsExactly("doomed_slot");
    } finally {
      primary.execute("ALTER SYSTEM SET synchronized_standby_slots = '" + STANDBY_SLOT + "'", "SELECT pg_reload_conf()");
    }
  }

  /** A slot created before spec.replication.failover was set becomes a failover slot in place, keeping its position. */
  @Test
  void anExistingSlotBecomesAFailoverSlotInPlace() {
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(primary))) {
      String position = db.createSlot("older_slot", false).confirmedFlushLsn();

      SlotState altered = db.setFailover("older_slot", true);

      assertThat(altered.failover()).isTrue();
      assertThat(altered.confirmedFlushLsn()).isEqualTo(position);
      assertThat(db.setFailover("older_slot", false).failover()).isFalse();
    }
  }

  /**
   * ALTER_REPLICATION_SLOT waits while a backend streams from the slot; the operator ends that
   * stream (the runtime reconnects by itself) and the waiting command takes the slot.
   */
  @Test
  void aSlotBeingStreamedBecomesAFailoverSlotInPlace() throws Exception {
    primary.execute("CREATE PUBLICATION events_pub FOR TABLE events");
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(primary))) {
      String position = db.createSlot("busy_slot", false).confirmedFlushLsn();
      try (TestDatabases.HeldSlot held = TestDatabases.stream(primary, "busy_slot", "events_pub")) {
        await().atMost(Duration.ofSeconds(10)).until(() -> db.slot("busy_slot").orElseThrow().active());

        SlotState altered = db.setFailover("busy_slot", true);

        assertThat(altered.failover()).isTrue();
        assertThat(altered.confirmedFlushLsn()).isEqualTo(position);
      }
    }
  }

  private static String query(TestPostgres postgres, String sql) throws SQLException {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

}
