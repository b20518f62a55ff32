package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGProperty;

/**
 * Failover slots against a real PostgreSQL 17 primary and its streaming standby: the operator's
 * slot is created with {@code failover = true} when asked, the standby keeps a synchronized copy
 * of it, the slot's state carries the primary's {@code synchronized_standby_slots} and the names in
 * it that are not usable physical slots, and an existing slot becomes a failover slot in place with
 * {@code ALTER_REPLICATION_SLOT} (the recovery docs/operator.md gives for SlotNotFailover).
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
    // (PostgreSQL 17 slotsync: the remote slot must not precede the local one): consume up to now.
    primary.execute("INSERT INTO events (body) VALUES ('after the slots')",
        "SELECT pg_replication_slot_advance('kept_slot', pg_current_wal_lsn())");

    await().atMost(Duration.ofSeconds(90)).until(() -> query(standby,
        "SELECT synced::text || ',' || failover::text || ',' || temporary::text FROM pg_replication_slots "
            + "WHERE slot_name = 'kept_slot'"), "true,true,false"::equals);
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

  /** The documented recovery for a slot created before spec.replication.failover was set: no drop, no lost position. */
  @Test
  void anExistingSlotBecomesAFailoverSlotInPlaceOverAReplicationConnection() throws Exception {
    String position;
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(primary))) {
      position = db.createSlot("older_slot", false).confirmedFlushLsn();
    }
    try (Connection replication = replicationConnection(primary); Statement statement = replication.createStatement()) {
      statement.execute("ALTER_REPLICATION_SLOT older_slot ( FAILOVER true )");
    }
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(primary))) {
      SlotState altered = db.slot("older_slot").orElseThrow();
      assertThat(altered.failover()).isTrue();
      assertThat(altered.confirmedFlushLsn()).isEqualTo(position);
    }
  }

  private static Connection replicationConnection(TestPostgres postgres) throws SQLException {
    Properties props = new Properties();
    PGProperty.USER.set(props, postgres.user());
    PGProperty.PASSWORD.set(props, postgres.password());
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    return DriverManager.getConnection(postgres.jdbcUrl(), props);
  }

  private static String query(TestPostgres postgres, String sql) throws SQLException {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

}
