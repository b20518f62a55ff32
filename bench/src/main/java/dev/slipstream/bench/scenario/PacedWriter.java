package dev.slipstream.bench.scenario;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer of the latency and relay scenarios: one row per transaction, {@code (phase, body)},
 * at a steady rate on a schedule (a late commit does not shift the ones after it).
 */
final class PacedWriter {

  /** The body every row carries. */
  static final String BODY = "x".repeat(100);

  private PacedWriter() {
  }

  /** Commits one row per transaction at {@code rate} for {@code duration}; returns the rows written. */
  static long write(PreparedStatement insert, int phase, int rate, Duration duration) throws SQLException {
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long next = start;
    long rows = 0;
    while (next < end) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      insert.setInt(1, phase);
      insert.setString(2, BODY);
      insert.executeUpdate();
      rows++;
      next += interval;
    }
    return rows;
  }
}
