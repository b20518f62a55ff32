package dev.slipstream.e2e;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits one order at a time into the examples' {@code orders} table, about 20 a second, on a
 * thread of its own, ids counting up from {@code firstId}, all for one customer: an app's steady
 * writes while the test breaks things. {@link #written} is what was committed.
 */
final class OrderWriter implements AutoCloseable {

  private static final long PAUSE_NANOS = 50_000_000;

  private final TestPostgres postgres;
  private final long firstId;
  private final long customer;
  private final List<Long> written = new CopyOnWriteArrayList<>();
  private volatile boolean running;
  private Thread thread;
  private volatile Exception failure;

  OrderWriter(TestPostgres postgres, long firstId, long customer) {
    this.postgres = postgres;
    this.firstId = firstId;
    this.customer = customer;
  }

  void start() {
    running = true;
    thread = Thread.ofPlatform().name("order-writer").start(this::write);
  }

  private void write() {
    try (Connection connection = Examples.connect(postgres);
        PreparedStatement insert = connection.prepareStatement(
            "INSERT INTO orders (id, customer_id, total) VALUES (?, ?, 1.00)")) {
      for (long id = firstId; running; id++) {
        insert.setLong(1, id);
        insert.setLong(2, customer);
        insert.executeUpdate(); // autocommit: committed when it returns
        written.add(id);
        LockSupport.parkNanos(PAUSE_NANOS);
      }
    } catch (SQLException e) {
      failure = e;
    }
  }

  /** The ids committed so far, in commit order. */
  List<Long> written() {
    if (failure != null) {
      throw new IllegalStateException("the writer failed", failure);
    }
    return List.copyOf(written);
  }

  /** Stops writing; the ids committed, in commit order. */
  List<Long> stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join();
    }
    return written();
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
