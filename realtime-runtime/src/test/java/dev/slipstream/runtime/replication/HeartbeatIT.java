package dev.slipstream.runtime.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.RealtimeRuntime;
import dev.slipstream.runtime.RealtimeRuntime.RuntimeSettings;
import dev.slipstream.runtime.testing.TestReplication;
import dev.slipstream.runtime.transport.RealtimeServer;
import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.replication.LogSequenceNumber;

/**
 * A tenant database whose tables are idle, on a server where another database writes: without a
 * heartbeat its slot would hold the other database's WAL for ever. The runtime writes one whenever
 * the stream has delivered nothing for the interval, and confirms the walsender's keepalive
 * positions while nothing is in flight; the slot's confirmed position follows the server's WAL.
 */
class HeartbeatIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static RealtimeRuntime runtime;

  @BeforeAll
  static void start() throws Exception {
    postgres.execute(
        "CREATE TABLE idle_table (id bigint PRIMARY KEY)",
        "CREATE PUBLICATION heartbeat_it FOR TABLE idle_table",
        "SELECT pg_create_logical_replication_slot('heartbeat_it', 'pgoutput')",
        "CREATE DATABASE busy");
    ReplicationSettings base = TestReplication.settings(postgres, "heartbeat_it", "heartbeat_it");
    ReplicationSettings replication = new ReplicationSettings(base.host(), base.port(), base.database(), base.user(),
        base.password(), base.sslMode(), base.slotName(), base.publications(), base.streamedMemoryLimitBytes(),
        base.spillDirectory(), base.statusInterval(), base.maxBackoff(), Duration.ofMillis(500));
    runtime = RealtimeRuntime.start(new RuntimeSettings(replication,
        new RealtimeServer.Settings("127.0.0.1", 0, 1 << 20, 1 << 20, Duration.ofSeconds(15)), 100));
    await().atMost(Duration.ofSeconds(30)).until(() -> runtime.source().streaming());
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void theSlotOfAnIdleDatabaseFollowsWalWrittenElsewhere() throws Exception {
    long before = confirmedFlushLsn();
    long written;
    try (Connection busy = DriverManager.getConnection("jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/busy",
        postgres.user(), postgres.password()); Statement st = busy.createStatement()) {
      st.execute("CREATE TABLE churn (id bigint)");
      st.execute("INSERT INTO churn SELECT generate_series(1, 20000)");
      try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
        rs.next();
        written = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
      }
    }
    assertThat(written).isGreaterThan(before);

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(confirmedFlushLsn()).as("the slot's confirmed_flush_lsn").isGreaterThanOrEqualTo(written));
    // Two things move it now: the runtime confirms the position of the walsender's keepalives while
    // nothing is in flight (often first, as soon as the walsender has decoded the other database's
    // WAL), and the heartbeat, written whenever the stream delivered nothing for the interval.
    await().atMost(Duration.ofSeconds(30)).until(() -> runtime.heartbeatsWritten() > 0);
  }

  private static long confirmedFlushLsn() throws SQLException {
    try (Connection conn = postgres.connect(); Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'heartbeat_it'")) {
      rs.next();
      return LogSequenceNumber.valueOf(rs.getString(1)).asLong();
    }
  }
}
