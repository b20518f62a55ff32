package dev.slipstream.runtime.replication;

import dev.slipstream.runtime.route.PublishedColumns;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads which tables and columns the tenant's publications carry (with column lists, only the
 * published columns), on its own thread and connection, now and then; joins check subscriptions
 * against the last snapshot ({@link #current()}) without waiting. Until the first read succeeds,
 * the snapshot is {@link PublishedColumns#UNKNOWN} and every subscription is accepted.
 */
public final class PublicationCatalog implements AutoCloseable {

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
  private volatile PublishedColumns current = PublishedColumns.UNKNOWN;

  public PublicationCatalog(ReplicationSettings settings, Duration interval) {
    this.settings = settings;
    scheduler.scheduleWithFixedDelay(this::read, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  public PublishedColumns current() {
    return current;
  }

  private void read() {
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
  }
}
