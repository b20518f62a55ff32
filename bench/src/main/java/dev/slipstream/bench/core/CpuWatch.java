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
 * last value read. A walsender is found as its slot's {@code active_pid}, looked up every 100 ms:
 * if the reader reconnects (a new walsender), the CPU of the one before is kept and the new one's
 * added. CPU is counted from each process's start, which is right for processes started for one
 * measurement.
 */
public final class CpuWatch implements AutoCloseable {

  private static final long PERIOD_NANOS = 10_000_000L;

  private final Thread thread;
  private final LongSupplier lookup;
  private volatile boolean running = true;
  private final boolean follow;
  private volatile long pid;
  private volatile double last = Double.NaN;
  /** CPU of walsenders this watch saw before the current one. */
  private volatile double before;

  private CpuWatch(LongSupplier pid, String name, boolean follow) {
    lookup = pid;
    this.follow = follow;
    thread = new Thread(() -> watch(pid), "cpu-watch-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Watches the process {@code pid}. */
  public static CpuWatch of(long pid) {
    return new CpuWatch(() -> pid, Long.toString(pid), false);
  }

  /**
   * Watches the walsender that streams {@code slot}, once it does ({@code pg_replication_slots.active_pid}),
   * through {@code connection} (used only by the watch's thread until {@link #close}).
   */
  public static CpuWatch walsender(Connection connection, String slot) {
    return new CpuWatch(() -> activePid(connection, slot), slot, true);
  }

  private void watch(LongSupplier lookup) {
    for (long tick = 0; running; tick++) {
      if (pid <= 0 || (follow && tick % 10 == 0)) {
        find();
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

  private synchronized void find() {
    long found = lookup.getAsLong();
    if (found > 0 && found != pid) {
      if (pid > 0 && !Double.isNaN(last)) {
        before += last;
      }
      pid = found;
      last = Double.NaN;
    }
  }

  /** The pid watched, 0 while not found yet. */
  public long pid() {
    return pid;
  }

  /** CPU seconds the process has used since it started, as last read (NaN if never found). */
  public synchronized double seconds() {
    if (running && (pid <= 0 || follow)) {
      // A short pass may end before the watch's thread has looked; the process may still be there.
      find();
    }
    if (pid > 0) {
      double s = ProcessCpu.seconds(pid);
      if (!Double.isNaN(s)) {
        last = s;
      }
    }
    return Double.isNaN(last) ? (before > 0 ? before : Double.NaN) : before + last;
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
