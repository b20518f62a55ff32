package dev.slipstream.runtime.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.runtime.change.ChangeEvent.RowChange;
import dev.slipstream.testing.postgres.TestPostgres;
import dev.slipstream.testing.tls.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime's connections with {@code sslmode verify-full} and the CA file the operator mounts
 * ({@code SLIPSTREAM_DB_SSLROOTCERT}), against a real PostgreSQL serving TLS: the replication stream
 * and the ordinary sessions (catalog, heartbeat, lag probe) run encrypted and verified; a CA that
 * did not sign the server's certificate keeps the runtime from streaming, and says why.
 */
class DatabaseTlsIT {

  private static final TestCertificates.Authority CA = TestCertificates.authority("slipstream test database CA");
  private static final Path SERVER_TLS = CA.issue("localhost", "localhost").writeTo(tempDirectory());

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical().withTls(SERVER_TLS);

  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir
  Path temp;

  @Test
  void theReplicationStreamAndTheSessionsAreEncryptedAndVerifiedAgainstTheCaFile() throws SQLException {
    postgres.execute(
        "CREATE TABLE tls_messages (id bigint PRIMARY KEY, body text)",
        "CREATE PUBLICATION tls_pub FOR TABLE tls_messages",
        "SELECT pg_create_logical_replication_slot('tls_slot', 'pgoutput')");
    ReplicationSettings settings = settings("tls_slot", CA.writeTo(temp));
    CollectingSink sink = new CollectingSink();
    ReplicationSource source = new ReplicationSource(settings, sink, Clock.systemUTC());
    source.start();
    try {
      await().atMost(WAIT).until(source::streaming);
      postgres.execute("INSERT INTO tls_messages VALUES (1, 'over TLS')");
      await().atMost(WAIT).until(() -> !sink.events.isEmpty());
      assertThat(((RowChange) sink.events.getFirst()).table().qualifiedName()).isEqualTo("public.tls_messages");

      assertThat(queryOne("SELECT bool_and(s.ssl) FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) "
          + "WHERE r.application_name = 'slipstream-runtime'")).as("the walsender's connection is TLS").isEqualTo("t");
      try (Connection session = DriverManager.getConnection(settings.jdbcUrl(), settings.loginProperties("tls-it"));
          Statement statement = session.createStatement();
          ResultSet ssl = statement.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
        assertThat(ssl.next()).isTrue();
        assertThat(ssl.getBoolean(1)).as("an ordinary session with the runtime's login properties is TLS").isTrue();
      }
    } finally {
      source.stop();
    }
  }

  @Test
  void aCaFileThatDidNotSignTheServersCertificateKeepsTheRuntimeFromStreaming() {
    postgres.execute("CREATE TABLE other_messages (id bigint PRIMARY KEY)",
        "CREATE PUBLICATION other_pub FOR TABLE other_messages");
    Path wrongCa = TestCertificates.authority("someone else's CA").writeTo(temp);
    ReplicationSource source = new ReplicationSource(new ReplicationSettings(postgres.host(), postgres.port(),
        postgres.database(), postgres.user(), postgres.password(), "verify-full", "never_streamed",
        List.of("other_pub"), 64L << 20, temp.resolve("spill"), Duration.ofMillis(200), Duration.ofSeconds(2),
        ReplicationSettings.DEFAULT_HEARTBEAT_INTERVAL, wrongCa.toString()), new CollectingSink(), Clock.systemUTC());
    source.start();
    try {
      await().atMost(WAIT).untilAsserted(() -> assertThat(source.lastError()).isNotNull());
      assertThat(source.lastError()).contains("SSL error");
      assertThat(source.streaming()).isFalse();
    } finally {
      source.stop();
    }
  }

  private ReplicationSettings settings(String slot, Path caFile) {
    return new ReplicationSettings(postgres.host(), postgres.port(), postgres.database(), postgres.user(),
        postgres.password(), "verify-full", slot, List.of("tls_pub"), 64L << 20, temp.resolve("spill"),
        Duration.ofMillis(200), Duration.ofSeconds(2), ReplicationSettings.DEFAULT_HEARTBEAT_INTERVAL, caFile.toString());
  }

  private static String queryOne(String sql) throws SQLException {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getString(1);
    }
  }

  private static Path tempDirectory() {
    try {
      return Files.createTempDirectory("slipstream-pg-tls-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
