package dev.slipstream.runtime.replication;

import dev.slipstream.runtime.route.PublishedColumns;
import dev.slipstream.runtime.route.PublishedTables;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads which tables and columns the tenant's publications carry (with column lists, only the
 * published columns), on its own thread and connection, every {@code interval}; joins check
 * subscriptions against the last snapshot ({@link #current()}) without waiting. Until the first
 * read succeeds, the snapshot is {@link PublishedColumns#UNKNOWN} and every subscription is
 * accepted.
 *
 * <p>A subscription the snapshot refuses asks for a fresh read ({@link #refresh()}) before it is
 * refused: the table may have joined a publication since. Such reads are shared by every caller
 * waiting when one starts, and start at most once per {@code refreshSpacing}, so clients naming
 * tables that do not exist cost the database at most that many reads, however many they send.
 */
public final class PublicationCatalog implements PublishedTables, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PublicationCatalog.class);

  private static final String QUERY = """
      SELECT pt.schemaname, pt.tablename, a.attname, a.atttypid
      FROM pg_publication_tables pt
      JOIN pg_namespace n ON n.nspname = pt.schemaname
      JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = pt.tablename
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE pt.pubname = ANY (?)""";
  /** Column lists ({@code pg_publication_tables.attnames}) exist from PostgreSQL 15. */
  private static final String PUBLISHED_COLUMNS_ONLY = " AND a.attname = ANY (pt.attnames)";

  private final ReplicationSettings settings;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("publication-catalog").daemon().unstarted(r));
  private final long refreshSpacingNanos;
  private volatile PublishedColumns current = PublishedColumns.UNKNOWN;
  private final AtomicLong reads = new AtomicLong();
  /** Completed by the next read to start; null when nobody waits. Guarded by {@code this}. */
  private CompletableFuture<PublishedColumns> waiting;
  /** When the last read started (System.nanoTime). Guarded by {@code this}. */
  private long lastReadStart;

  public PublicationCatalog(ReplicationSettings settings, Duration interval, Duration refreshSpacing) {
    this.settings = settings;
    this.refreshSpacingNanos = refreshSpacing.toNanos();
    this.lastReadStart = System.nanoTime() - refreshSpacingNanos;
    scheduler.scheduleWithFixedDelay(this::read, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public PublishedColumns current() {
    return current;
  }

  @Override
  public synchronized CompletableFuture<PublishedColumns> refresh() {
    if (waiting == null) {
      waiting = new CompletableFuture<>();
      long delay = Math.max(0, lastReadStart + refreshSpacingNanos - System.nanoTime());
      try {
        scheduler.schedule(this::read, delay, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        waiting.complete(current); // closed: nothing will be read again
        return waiting;
      }
    }
    return waiting;
  }

  /** Takes the waiters a read starting now will answer. */
  private synchronized CompletableFuture<PublishedColumns> startRead() {
    lastReadStart = System.nanoTime();
    CompletableFuture<PublishedColumns> answers = waiting;
    waiting = null;
    return answers;
  }

  private void read() {
    CompletableFuture<PublishedColumns> answers = startRead();
    try {
      readNow();
    } finally {
      if (answers != null) {
        answers.complete(current);
      }
    }
  }

  /** Reads started so far, for tests of the spacing. */
  long reads() {
    return reads.get();
  }

  private void readNow() {
    reads.incrementAndGet();
    Properties props = settings.loginProperties("slipstream-runtime-catalog");
    PGProperty.CONNECT_TIMEOUT.set(props, 5);
    PGProperty.SOCKET_TIMEOUT.set(props, 10);
    try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), props)) {
      boolean columnLists = connection.getMetaData().getDatabaseMajorVersion() >= 15;
      Map<String, Map<String, Integer>> tables = new HashMap<>();
      try (PreparedStatement query = connection.prepareStatement(columnLists ? QUERY + PUBLISHED_COLUMNS_ONLY : QUERY)) {
        Array names = connection.createArrayOf("text", settings.publications().toArray());
        query.setArray(1, names);
        try (ResultSet rows = query.executeQuery()) {
          while (rows.next()) {
            tables.computeIfAbsent(rows.getString(1) + "." + rows.getString(2), k -> new HashMap<>())
                .put(rows.getString(3), rows.getInt(4));
          }
        }
      }
      current = new PublishedColumns(tables);
    } catch (SQLException e) {
      log.debug("Could not read the publications' tables: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    CompletableFuture<PublishedColumns> answers = startRead();
    if (answers != null) {
      answers.complete(current);
    }
  }
}
