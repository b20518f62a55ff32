package dev.slipstream.runtime.replication;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

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

  private final ReplicationSource source;
  private final long intervalNanos;
  private final Counter written;
  private final SideConnection database;

  public Heartbeat(ReplicationSettings settings, ReplicationSource source, Duration interval, MeterRegistry registry) {
    this.source = source;
    this.intervalNanos = interval.toNanos();
    this.written = Counter.builder("slipstream.heartbeats").description(
        "Heartbeat messages written into the tenant database because its slot had nothing to decode").register(registry);
    this.database = new SideConnection(settings, "slipstream-runtime-heartbeat", "heartbeat");
    long tick = Math.max(100, interval.toMillis() / 2);
    database.every(tick, tick, this::beat);
  }

  private void beat(SideConnection database) throws SQLException {
    if (!source.streaming() || System.nanoTime() - source.lastReceivedNanos() < intervalNanos) {
      return;
    }
    try (Statement st = database.connection().createStatement()) {
      st.execute("SELECT pg_logical_emit_message(false, '" + PREFIX + "', '')");
    }
    written.increment();
  }

  public double written() {
    return written.count();
  }

  @Override
  public void close() {
    database.close();
  }
}
