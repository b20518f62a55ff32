package dev.slipstream.runtime.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures how far the runtime trails the database in bytes: {@code pg_current_wal_lsn()} minus
 * the LSN the runtime last confirmed, every few seconds, on its own thread and its own ordinary
 * connection (the replication connection cannot run queries while streaming). A failed probe
 * keeps the last value and tries again on the next tick.
 */
public final class LagProbe implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LagProbe.class);

  private final ReplicationSettings settings;
  private final LongSupplier confirmedLsn;
  private final AtomicLong lagBytes = new AtomicLong(-1);
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("lag-probe").daemon().unstarted(r));
  private Connection connection;

  public LagProbe(ReplicationSettings settings, LongSupplier confirmedLsn, Duration interval) {
    this.settings = settings;
    this.confirmedLsn = confirmedLsn;
    scheduler.scheduleWithFixedDelay(this::probe, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Bytes of WAL written after the runtime's confirmed position; -1 until first measured. */
  public long lagBytes() {
    return lagBytes.get();
  }

  private void probe() {
    long confirmed = confirmedLsn.getAsLong();
    if (confirmed == 0) {
      return; // nothing confirmed yet: no meaningful difference
    }
    try {
      if (connection == null || connection.isClosed()) {
        connection = connect();
      }
      try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
        rs.next();
        long current = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
        lagBytes.set(Math.max(0, current - confirmed));
      }
    } catch (SQLException e) {
      log.debug("Lag probe failed: {}", e.getMessage());
      closeQuietly();
    }
  }

  private Connection connect() throws SQLException {
    Properties props = settings.loginProperties("slipstream-runtime-lag-probe");
    PGProperty.CONNECT_TIMEOUT.set(props, 5);
    PGProperty.SOCKET_TIMEOUT.set(props, 10);
    return DriverManager.getConnection(settings.jdbcUrl(), props);
  }

  private void closeQuietly() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // the next probe reconnects
    }
    connection = null;
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly();
  }
}
