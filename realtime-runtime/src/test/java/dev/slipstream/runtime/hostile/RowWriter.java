package dev.slipstream.runtime.hostile;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Inserts a row into {@code orders} at a steady rate on its own connection (autocommit), keeping
 * each row's id and the {@link System#nanoTime()} at which its commit returned.
 */
final class RowWriter implements AutoCloseable {

  private final Connection connection;
  private final PreparedStatement insert;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("row-writer").daemon().unstarted(r));
  private final ConcurrentSkipListMap<Long, Long> committed = new ConcurrentSkipListMap<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final LongSupplier ids;
  private final String room;

  private RowWriter(TestPostgres postgres, LongSupplier ids, String room, int noteBytes) throws SQLException {
    this.connection = postgres.connect();
    this.connection.setAutoCommit(true);
    // The note is made by PostgreSQL, not sent from here; the relay carries it as it is (it does not compress).
    this.insert = connection.prepareStatement("INSERT INTO orders (id, room, note) VALUES (?, ?, "
        + (noteBytes <= 0 ? "'hostile'" : "substr(repeat(md5(random()::text), " + (noteBytes / 32 + 1) + "), 1, "
            + noteBytes + ")") + ")");
    this.ids = ids;
    this.room = room;
  }

  static RowWriter start(TestPostgres postgres, LongSupplier ids, String room, int perSecond) throws SQLException {
    return start(postgres, ids, room, perSecond, 0);
  }

  /** Rows with a note of {@code noteBytes} characters (0: a short one). */
  static RowWriter start(TestPostgres postgres, LongSupplier ids, String room, int perSecond, int noteBytes)
      throws SQLException {
    RowWriter writer = new RowWriter(postgres, ids, room, noteBytes);
    long period = 1_000_000_000L / perSecond;
    writer.ticker.scheduleAtFixedRate(writer::insertOne, 0, period, TimeUnit.NANOSECONDS);
    return writer;
  }

  private void insertOne() {
    if (failure.get() != null) {
      return;
    }
    try {
      long id = ids.getAsLong();
      insert.setLong(1, id);
      insert.setString(2, room);
      insert.executeUpdate();
      committed.put(id, System.nanoTime());
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  int count() {
    return committed.size();
  }

  /** Row id to the nanos its commit returned at, in id order. */
  Map<Long, Long> committed() {
    return Map.copyOf(committed);
  }

  /** Stops inserting; waits for an insert in progress. Throws if an insert failed. */
  void stop() {
    ticker.shutdown();
    try {
      ticker.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Throwable t = failure.get();
    if (t != null) {
      throw new AssertionError("inserting rows failed", t);
    }
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    try {
      connection.close();
    } catch (SQLException ignored) {
      // the test is over
    }
  }
}
