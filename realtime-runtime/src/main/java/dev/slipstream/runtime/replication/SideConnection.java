package dev.slipstream.runtime.replication;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ordinary connection to the tenant's database beside the replication stream (which cannot run
 * queries while streaming), with the one thread that uses it: work runs there on a fixed delay,
 * the connection opens when the work first asks for it, and a failure is logged, closes it and
 * waits for the next tick, which connects again. The heartbeat and the lag probe each own one.
 */
final class SideConnection implements AutoCloseable {

  /** What runs on each tick. */
  @FunctionalInterface
  interface Work {
    void run(SideConnection database) throws SQLException;
  }

  private static final Logger log = LoggerFactory.getLogger(SideConnection.class);

  private final ReplicationSettings settings;
  private final String applicationName;
  private final ScheduledExecutorService scheduler;
  private Connection connection; // only on the scheduler's thread

  SideConnection(ReplicationSettings settings, String applicationName, String threadName) {
    this.settings = settings;
    this.applicationName = applicationName;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(
        r -> Thread.ofPlatform().name(threadName).daemon().unstarted(r));
  }

  void every(long initialDelayMillis, long delayMillis, Work work) {
    scheduler.scheduleWithFixedDelay(() -> {
      try {
        work.run(this);
      } catch (SQLException e) {
        log.debug("{} failed: {}", applicationName, e.getMessage());
        closeQuietly();
      }
    }, initialDelayMillis, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** The open connection, connecting first when there is none. */
  Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties props = settings.loginProperties(applicationName);
      PGProperty.CONNECT_TIMEOUT.set(props, 5);
      PGProperty.SOCKET_TIMEOUT.set(props, 10);
      connection = DriverManager.getConnection(settings.jdbcUrl(), props);
    }
    return connection;
  }

  private void closeQuietly() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException ignored) {
      // the next tick connects again
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
