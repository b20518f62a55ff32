package dev.slipstream.testing.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL (zonky embedded binaries, PostgreSQL 17 by default) set up for logical
 * replication, one per test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestPostgres postgres = TestPostgres.logical();
 * }</pre>
 *
 * <p>{@code synchronous_commit=on}: zonky starts the server with it off, and then a commit only
 * reaches the walsender when the WAL writer flushes (about 150 ms at the median here), which
 * would make every streaming test slow and every latency figure meaningless.
 */
public final class TestPostgres implements BeforeAllCallback, AfterAllCallback {

  private final EmbeddedPostgres.Builder builder;
  private EmbeddedPostgres server;

  private TestPostgres(EmbeddedPostgres.Builder builder) {
    this.builder = builder;
  }

  /** wal_level=logical with room for 20 slots and senders. */
  public static TestPostgres logical() {
    return new TestPostgres(EmbeddedPostgres.builder()
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_replication_slots", "20")
        .setServerConfig("max_wal_senders", "20")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("timezone", "UTC"));
  }

  /** A server with a setting changed, for tests of what happens when the database is not fit. */
  public TestPostgres with(String setting, String value) {
    builder.setServerConfig(setting, value);
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /** Starts the server (the extension does this before the test class). */
  public TestPostgres start() {
    try {
      server = builder.start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  public void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        server = null;
      }
    }
  }

  public int port() {
    return server.getPort();
  }

  public String host() {
    return "localhost";
  }

  public String user() {
    return "postgres";
  }

  public String password() {
    return "postgres";
  }

  public String database() {
    return "postgres";
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + database();
  }

  /** An ordinary connection as the superuser {@code postgres}. */
  public Connection connect() throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", user());
    props.setProperty("password", password());
    return DriverManager.getConnection(jdbcUrl(), props);
  }

  /** Runs each statement in its own transaction (autocommit). */
  public void execute(String... statements) {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
  }
  /**
   * Creates a login role with REPLICATION that must authenticate with its password
   * (scram-sha-256) over TCP. The embedded server trusts every local connection, so a
   * {@code pg_hba.conf} line for this one role is put first and the configuration reloaded. The
   * old lines go through a temporary table because COPY truncates its target before its query runs.
   */
  public void requirePassword(String role, String password) {
    String hbaFile;
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        var rs = statement.executeQuery("SHOW hba_file")) {
      rs.next();
      hbaFile = rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
    execute(
        "CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + password.replace("'", "''") + "'",
        "CREATE TEMPORARY TABLE old_hba AS SELECT n, regexp_replace(l, '\\t', ' ', 'g') AS line "
            + "FROM regexp_split_to_table(pg_read_file(current_setting('hba_file')), '\\n') WITH ORDINALITY AS f(l, n) "
            + "WHERE l !~ '^\\s*(#|$)'",
        "COPY (SELECT line FROM (SELECT 0 AS n, 'host all " + role + " all scram-sha-256' AS line "
            + "UNION ALL SELECT n, line FROM old_hba) lines ORDER BY n) TO '" + hbaFile + "'",
        "SELECT pg_reload_conf()");
  }
}
