package dev.slipstream.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An application committing rows 1, 2, 3, ... of {@code ledger}, one per transaction, about
 * {@code rowsPerSecond} a second, to whichever server answers at its address (a database's service
 * address, which a failover moves): a failed statement is retried on a new connection until it
 * commits. A retry whose row is already there (committed, its answer lost to the fault) counts as
 * committed, so the rows committed are always exactly 1..{@link #committed()}. {@link #orders} writes
 * the examples' {@code orders} instead, for one customer.
 */
final class LedgerWriter implements AutoCloseable {

  private static final String LEDGER = "INSERT INTO ledger (id, body) VALUES (?, 'row') ON CONFLICT (id) DO NOTHING";

  private final String jdbcUrl;
  private final String insert;
  private final Properties credentials;
  private final long periodNanos;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Thread thread = Thread.ofPlatform().name("ledger-writer").daemon().unstarted(this::run);
  private volatile boolean running = true;

  LedgerWriter(String jdbcUrl, String user, String password, int rowsPerSecond) {
    this(jdbcUrl, LEDGER, user, password, rowsPerSecond);
  }

  private LedgerWriter(String jdbcUrl, String insert, String user, String password, int rowsPerSecond) {
    this.jdbcUrl = jdbcUrl;
    this.insert = insert;
    this.credentials = new Properties();
    credentials.setProperty("user", user);
    credentials.setProperty("password", password);
    credentials.setProperty("connectTimeout", "2");
    this.periodNanos = Duration.ofSeconds(1).toNanos() / rowsPerSecond;
  }

  /** Orders 1, 2, 3, ... of the examples' {@code orders} table, all for {@code customer}. */
  static LedgerWriter orders(String jdbcUrl, String user, String password, int rowsPerSecond, long customer) {
    return new LedgerWriter(jdbcUrl, "INSERT INTO orders (id, customer_id, total) VALUES (?, " + customer
        + ", 1.00) ON CONFLICT (id) DO NOTHING", user, password, rowsPerSecond);
  }

  LedgerWriter start() {
    thread.start();
    return this;
  }

  /** The highest id committed; every id up to it is committed too. */
  long committed() {
    return committed.get();
  }

  /** Statements that failed (the server gone, or refusing writes while in recovery) and were tried again. */
  long retries() {
    return retries.get();
  }

  private void run() {
    long next = System.nanoTime();
    while (running) {
      try (Connection connection = DriverManager.getConnection(jdbcUrl, credentials);
          PreparedStatement statement = connection.prepareStatement(insert)) {
        while (running) {
          // Rate pacing, not synchronisation: one row every period.
          LockSupport.parkNanos(next - System.nanoTime());
          next = Math.max(next + periodNanos, System.nanoTime() - 10 * periodNanos);
          statement.setLong(1, committed.get() + 1);
          statement.executeUpdate(); // autocommit: returns once committed
          committed.incrementAndGet();
        }
      } catch (SQLException e) {
        retries.incrementAndGet();
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // no server at the address yet: do not spin
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
