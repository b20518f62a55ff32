package dev.slipstream.testing.postgres;

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
 * {@code rowsPerSecond} a second, through whatever a fault does to the database (a restart, a cut
 * network, a failover that moves its address): a failed statement is retried on a new connection
 * until it commits. A retry whose row is already there (committed, its answer lost to the fault)
 * counts as committed, so the rows committed are always exactly 1..{@link #committed()}.
 * {@link #orders} writes the examples' {@code orders} instead, for one customer.
 */
public final class LedgerWriter implements AutoCloseable {

  /** Where each (re)connection goes. */
  @FunctionalInterface
  public interface Connector {
    Connection connect() throws SQLException;
  }

  private static final String LEDGER = "INSERT INTO ledger (id, body) VALUES (?, 'row') ON CONFLICT (id) DO NOTHING";

  private final Connector connector;
  private final String insert;
  private final long periodNanos;
  private final AtomicLong committed = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Thread thread = Thread.ofPlatform().name("ledger-writer").daemon().unstarted(this::run);
  private volatile boolean running = true;

  private LedgerWriter(Connector connector, String insert, int rowsPerSecond) {
    this.connector = connector;
    this.insert = insert;
    this.periodNanos = Duration.ofSeconds(1).toNanos() / rowsPerSecond;
  }

  /** Rows of {@code ledger} straight to {@code postgres}. */
  public static LedgerWriter ledger(TestPostgres postgres, int rowsPerSecond) {
    return new LedgerWriter(postgres::connect, LEDGER, rowsPerSecond);
  }

  /** Rows of {@code ledger} to whichever server answers at {@code jdbcUrl}. */
  public static LedgerWriter ledger(String jdbcUrl, String user, String password, int rowsPerSecond) {
    return new LedgerWriter(connector(jdbcUrl, user, password), LEDGER, rowsPerSecond);
  }

  /** Orders 1, 2, 3, ... of the examples' {@code orders} table, all for {@code customer}. */
  public static LedgerWriter orders(String jdbcUrl, String user, String password, int rowsPerSecond, long customer) {
    return new LedgerWriter(connector(jdbcUrl, user, password), "INSERT INTO orders (id, customer_id, total) VALUES (?, "
        + customer + ", 1.00) ON CONFLICT (id) DO NOTHING", rowsPerSecond);
  }

  private static Connector connector(String jdbcUrl, String user, String password) {
    Properties credentials = new Properties();
    credentials.setProperty("user", user);
    credentials.setProperty("password", password);
    credentials.setProperty("connectTimeout", "2");
    return () -> DriverManager.getConnection(jdbcUrl, credentials);
  }

  public LedgerWriter start() {
    thread.start();
    return this;
  }

  /** The highest id committed; every id up to it is committed too. */
  public long committed() {
    return committed.get();
  }

  /** Statements that failed (the server gone, or refusing writes while in recovery) and were tried again. */
  public long retries() {
    return retries.get();
  }

  private void run() {
    long next = System.nanoTime();
    while (running) {
      try (Connection connection = connector.connect();
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
        LockSupport.parkNanos(Duration.ofMillis(100).toNanos()); // no server answers yet: do not spin
      }
    }
  }

  /** Stops after the statement in flight; returns the highest id committed. */
  public long stop() throws InterruptedException {
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
