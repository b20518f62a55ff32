package dev.slipstream.runtime.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the slot moving when the tenant's own tables are idle. A slot's position only moves when
 * its reader confirms something it decoded; a database whose tables see no writes gives it
 * nothing to decode, while other databases on the same server (and the server itself) keep
 * writing WAL, which the slot then holds back for ever. So every {@code interval} in which the
 * stream delivered nothing, this writes a non-transactional
 * {@code pg_logical_emit_message(false, 'slipstream.heartbeat', '')} into the tenant's database:
 * the stream decodes it, the runtime confirms its position (see {@code TransactionAssembler}), and
 * the WAL before it can be recycled. Clients never see it (no listener takes that prefix).
 *
 * <p>Runs on its own thread and connection; a failed write is logged and tried again next time.
 * Only the pod that streams the slot runs one.
 */
public final class Heartbeat implements AutoCloseable {

  static final String PREFIX = "slipstream.heartbeat";
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  private final ReplicationSettings settings;
  private final ReplicationSource source;
  private final long intervalNanos;
  private final Counter written;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("heartbeat").daemon().unstarted(r));
  private Connection connection;

  public Heartbeat(ReplicationSettings settings, ReplicationSource source, Duration interval, MeterRegistry registry) {
    this.settings = settings;
    this.source = source;
    this.intervalNanos = interval.toNanos();
    this.written = Counter.builder("slipstream.heartbeats").description(
        "Heartbeat messages written into the tenant database because its slot had nothing to decode").register(registry);
    long tick = Math.max(100, interval.toMillis() / 2);
    scheduler.scheduleWithFixedDelay(this::beat, tick, tick, TimeUnit.MILLISECONDS);
  }

  private void beat() {
    if (!source.streaming() || System.nanoTime() - source.lastReceivedNanos() < intervalNanos) {
      return;
    }
    try {
      if (connection == null || connection.isClosed()) {
        connection = connect();
      }
      try (Statement st = connection.createStatement()) {
        st.execute("SELECT pg_logical_emit_message(false, '" + PREFIX + "', '')");
      }
      written.increment();
    } catch (SQLException e) {
      log.debug("Heartbeat failed: {}", e.getMessage());
      closeQuietly();
    }
  }

  private Connection connect() throws SQLException {
    Properties props = settings.loginProperties("slipstream-runtime-heartbeat");
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
      // the next beat reconnects
    }
    connection = null;
  }

  public double written() {
    return written.count();
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
