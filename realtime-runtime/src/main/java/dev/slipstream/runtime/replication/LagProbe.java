package dev.slipstream.runtime.replication;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Measures how far the runtime trails the database in bytes: {@code pg_current_wal_lsn()} minus
 * the LSN the runtime last confirmed, every few seconds, on its own thread and its own ordinary
 * connection (the replication connection cannot run queries while streaming). A failed probe
 * keeps the last value and tries again on the next tick.
 */
public final class LagProbe implements AutoCloseable {

  private final LongSupplier confirmedLsn;
  private final AtomicLong lagBytes = new AtomicLong(-1);
  private final SideConnection database;

  public LagProbe(ReplicationSettings settings, LongSupplier confirmedLsn, Duration interval) {
    this.confirmedLsn = confirmedLsn;
    this.database = new SideConnection(settings, "slipstream-runtime-lag-probe", "lag-probe");
    database.every(0, interval.toMillis(), this::probe);
  }

  /** Bytes of WAL written after the runtime's confirmed position; -1 until first measured. */
  public long lagBytes() {
    return lagBytes.get();
  }

  private void probe(SideConnection database) throws SQLException {
    long confirmed = confirmedLsn.getAsLong();
    if (confirmed == 0) {
      return; // nothing confirmed yet: no meaningful difference
    }
    try (Statement st = database.connection().createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
      rs.next();
      long current = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
      lagBytes.set(Math.max(0, current - confirmed));
    }
  }

  @Override
  public void close() {
    database.close();
  }
}
