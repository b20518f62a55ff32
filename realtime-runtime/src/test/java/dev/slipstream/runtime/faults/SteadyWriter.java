package dev.slipstream.runtime.faults;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits rows 1, 2, 3, ... of {@code ledger} one per transaction at a steady rate, straight to
 * PostgreSQL, through whatever a fault does to the database: a failed statement is retried on a
 * new connection until it commits. A retry whose row is already there (the commit went through
 * but its answer was lost to the fault) counts as committed, so the ids committed are always
 * exactly 1..{@link #committed()}, whatever the fault.
 */
final class SteadyWriter implements AutoCloseable {

  private final TestPostgres postgres;
  private final long periodNanos;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Thread thread = Thread.ofPlatform().name("steady-writer").daemon().unstarted(this::run);
  private volatile boolean running = true;

  SteadyWriter(TestPostgres postgres, int rowsPerSecond) {
    this.postgres = postgres;
    this.periodNanos = Duration.ofSeconds(1).toNanos() / rowsPerSecond;
  }

  SteadyWriter start() {
    thread.start();
    return this;
  }

  /** The highest id committed; every id up to it is committed too. */
  long committed() {
    return committed.get();
  }

  /** Statements that failed because of the fault and were tried again. */
  long retries() {
    return retries.get();
  }

  private void run() {
    long next = System.nanoTime();
    while (running) {
      try (Connection connection = postgres.connect();
          PreparedStatement insert = connection.prepareStatement(
              "INSERT INTO ledger (id, body) VALUES (?, 'row') ON CONFLICT (id) DO NOTHING")) {
        while (running) {
          // Rate pacing, not synchronisation: one row every period, catching up after a stall.
          LockSupport.parkNanos(next - System.nanoTime());
          next = Math.max(next + periodNanos, System.nanoTime() - 10 * periodNanos);
          insert.setLong(1, committed.get() + 1);
          insert.executeUpdate(); // autocommit: returns once committed
          committed.incrementAndGet();
        }
      } catch (SQLException e) {
        retries.incrementAndGet();
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // the database is down: do not spin
      }
    }
  }

  /** Stops after the statement in flight; returns the highest id committed. */
  long stop() throws InterruptedException {
    running = false;
    LockSupport.unpark(thread);
    if (!thread.join(Duration.ofSeconds(30))) {
      throw new AssertionError("the writer did not stop within 30 s");
    }
    return committed.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
