package dev.slipstream.testing.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Properties;
import org.awaitility.Awaitility;
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

  private static final Duration RESTART_WAIT = Duration.ofSeconds(60);

  private final EmbeddedPostgres.Builder builder;
  private EmbeddedPostgres server;
  /** Set by {@link #restartable()}: the data directory kept across {@link #restart()}, deleted by {@link #stop()}. */
  private Path keptDataDirectory;

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

  /**
   * A streaming standby of the running {@code primary}, to be started with {@link #start()}: a base
   * backup ({@link StandbyCopy}) streaming from the primary through its physical slot
   * {@code physicalSlot} (which must exist, created with {@code immediately_reserve}, so the WAL since
   * the backup began is kept), with what PostgreSQL 17 needs to keep copies of the primary's failover
   * slots: {@code sync_replication_slots}, {@code hot_standby_feedback}, and a {@code dbname} in
   * {@code primary_conninfo}. It connects as {@code applicationName}, the name
   * {@code synchronous_standby_names} on the primary can use. The data directory is deleted by
   * {@link #stop()}.
   */
  public static TestPostgres standbyOf(TestPostgres primary, String physicalSlot, String applicationName) {
    Path copy;
    try {
      copy = Files.createTempDirectory("slipstream-pg-standby-");
      StandbyCopy.copy(primary, copy);
      // Settings copied from the primary's postgresql.auto.conf are overridden by the lines after them.
      Files.writeString(copy.resolve("postgresql.auto.conf"), String.join("\n",
          "primary_conninfo = 'host=127.0.0.1 port=" + primary.port() + " user=" + primary.user() + " dbname="
              + primary.database() + " application_name=" + applicationName + "'",
          "primary_slot_name = '" + physicalSlot + "'",
          "hot_standby_feedback = on",
          "sync_replication_slots = on",
          "synchronized_standby_slots = ''",
          "synchronous_standby_names = ''",
          ""), java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TestPostgres standby = logical();
    standby.keptDataDirectory = copy;
    standby.builder.setDataDirectory(copy).setCleanDataDirectory(false).setPGStartupWait(RESTART_WAIT);
    return standby;
  }

  /** Promotes a standby to primary ({@code pg_promote}, waiting up to 60 s for it to finish). */
  public TestPostgres promote() {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT pg_promote(true, 60)")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        throw new IllegalStateException("pg_promote did not finish within 60 s on port " + port());
      }
      return this;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
  }

  /** A server with a setting changed, for tests of what happens when the database is not fit. */
  public TestPostgres with(String setting, String value) {
    builder.setServerConfig(setting, value);
    return this;
  }

  /**
   * Serves TLS ({@code ssl = on}) with {@code tls.crt} and {@code tls.key} from {@code directory}, as
   * {@code TestCertificates.Issued#writeTo} writes them. Clients may still connect without TLS.
   */
  public TestPostgres withTls(Path directory) {
    builder.setServerConfig("ssl", "on")
        .setServerConfig("ssl_cert_file", directory.resolve("tls.crt").toAbsolutePath().toString())
        .setServerConfig("ssl_key_file", directory.resolve("tls.key").toAbsolutePath().toString());
    return this;
  }

  /**
   * Keeps the data directory and the port across {@link #restart()} (zonky deletes its data
   * directory when it stops a server; this one is deleted by {@link #stop()} instead).
   */
  public TestPostgres restartable() {
    try {
      keptDataDirectory = Files.createTempDirectory("slipstream-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    builder.setDataDirectory(keptDataDirectory).setCleanDataDirectory(false).setPGStartupWait(RESTART_WAIT);
    return this;
  }

  /**
   * Stops the server as an operator's restart does ({@code pg_ctl stop -m fast}: every session and
   * walsender is disconnected, a shutdown checkpoint is written) and starts it again on the same
   * port and data. Needs {@link #restartable()}.
   */
  public TestPostgres restart() {
    if (keptDataDirectory == null) {
      throw new IllegalStateException("restart() needs a TestPostgres made restartable()");
    }
    int port = port();
    try {
      server.close();
      // zonky waits 5 s for pg_ctl stop; a loaded machine's shutdown checkpoint can take longer, and
      // a server started before the old postmaster has gone refuses with "shutting down".
      Awaitility.await().atMost(RESTART_WAIT).pollInterval(Duration.ofMillis(50))
          .until(() -> !Files.exists(keptDataDirectory.resolve("postmaster.pid")));
      server = builder.setPort(port).start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart embedded PostgreSQL on port " + port, e);
    }
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
    if (keptDataDirectory != null) {
      try (var paths = Files.walk(keptDataDirectory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is harmless
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
    execute("CREATE ROLE " + role + " LOGIN REPLICATION PASSWORD '" + password.replace("'", "''") + "'");
    requirePasswordOf(role);
  }

  /**
   * Makes an existing role authenticate with its password (scram-sha-256) over TCP, as
   * {@link #requirePassword} does for a role it creates: for a role a schema script made.
   */
  public void requirePasswordOf(String role) {
    String hbaFile;
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        var rs = statement.executeQuery("SHOW hba_file")) {
      rs.next();
      hbaFile = rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
    execute(
        "CREATE TEMPORARY TABLE old_hba AS SELECT n, regexp_replace(l, '\\t', ' ', 'g') AS line "
            + "FROM regexp_split_to_table(pg_read_file(current_setting('hba_file')), '\\n') WITH ORDINALITY AS f(l, n) "
            + "WHERE l !~ '^\\s*(#|$)'",
        "COPY (SELECT line FROM (SELECT 0 AS n, 'host all " + role + " all scram-sha-256' AS line "
            + "UNION ALL SELECT n, line FROM old_hba) lines ORDER BY n) TO '" + hbaFile + "'",
        "SELECT pg_reload_conf()");
  }
}
