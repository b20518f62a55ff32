package dev.slipstream.bench.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The CPU time of a process that may exit before the benchmark looks (pg_recvlogical, a walsender
 * whose client has gone): {@code /proc/<pid>/stat} read every 10 ms on a daemon thread, keeping the
 * last value read. A process found later (a walsender, once its slot is active) is looked up by
 * {@code pid} until it answers a positive pid. CPU is counted from the process's start, which is
 * right for processes started for one measurement.
 */
public final class CpuWatch implements AutoCloseable {

  private static final long PERIOD_NANOS = 10_000_000L;

  private final Thread thread;
  private final LongSupplier lookup;
  private volatile boolean running = true;
  private volatile long pid;
  private volatile double last = Double.NaN;

  private CpuWatch(LongSupplier pid, String name) {
    lookup = pid;
    thread = new Thread(() -> watch(pid), "cpu-watch-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Watches the process {@code pid}. */
  public static CpuWatch of(long pid) {
    return new CpuWatch(() -> pid, Long.toString(pid));
  }

  /**
   * Watches the walsender that streams {@code slot}, once it does ({@code pg_replication_slots.active_pid}),
   * through {@code connection} (used only by the watch's thread until {@link #close}).
   */
  public static CpuWatch walsender(Connection connection, String slot) {
    return new CpuWatch(() -> activePid(connection, slot), slot);
  }

  private void watch(LongSupplier lookup) {
    while (running) {
      if (pid <= 0) {
        pid = lookup.getAsLong();
      }
      if (pid > 0) {
        double s = ProcessCpu.seconds(pid);
        if (!Double.isNaN(s)) {
          last = s;
        }
      }
      LockSupport.parkNanos(PERIOD_NANOS);
    }
  }

  /** The pid watched, 0 while not found yet. */
  public long pid() {
    return pid;
  }

  /** CPU seconds the process has used since it started, as last read (NaN if never found). */
  public synchronized double seconds() {
    if (pid <= 0 && running) {
      // A short pass may end before the watch's thread has looked; the process may still be there.
      pid = lookup.getAsLong();
    }
    if (pid > 0) {
      double s = ProcessCpu.seconds(pid);
      if (!Double.isNaN(s)) {
        last = s;
      }
    }
    return last;
  }

  private static long activePid(Connection connection, String slot) {
    try (PreparedStatement s = connection.prepareStatement(
        "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
      s.setString(1, slot);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getLong(1) : 0;
      }
    } catch (SQLException e) {
      return 0;
    }
  }

  /** Stops watching; {@link #seconds} keeps the last value. */
  @Override
  public void close() {
    running = false;
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
