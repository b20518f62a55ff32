package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.assertj.core.api.ThrowingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sslMode: verify-full} with the tenant's CA ({@code spec.database.caSecretRef}) against a
 * real PostgreSQL serving TLS with a certificate made for the test: the right CA connects over
 * TLS, a wrong CA and a host the certificate does not name fail with a reason that says which
 * field to change, and a server without TLS says so.
 */
class TlsConnectionIT {

  private static final TestCertificates.Authority CA = TestCertificates.authority("slipstream test database CA");
  private static final TestCertificates.Authority OTHER_CA = TestCertificates.authority("someone else's CA");
  /** For the name "localhost" only: 127.0.0.1 reaches the same server under a name it does not list. */
  private static final Path SERVER_TLS = CA.issue("localhost", "localhost").writeTo(tempDirectory());

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical().withTls(SERVER_TLS);

  @RegisterExtension
  static final TestPostgres plain = TestPostgres.logical();

  @Test
  void verifyFullWithTheTenantsCaConnectsOverTls() throws SQLException {
    ConnectionSettings settings = verifyFull("localhost", CA.certificatePem());

    try (TenantDatabase db = TenantDatabase.open(settings)) {
      assertThat(db.check(null).role()).isEqualTo(postgres.user());
    }
    try (Connection connection = DriverManager.getConnection(settings.jdbcUrl(), settings.properties());
        Statement statement = connection.createStatement();
        ResultSet ssl = statement.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
      assertThat(ssl.next()).isTrue();
      assertThat(ssl.getBoolean(1)).as("the session is encrypted").isTrue();
    }
  }

  @Test
  void aCaBundleWithTheRightCaAmongOthersConnects() {
    try (TenantDatabase db = TenantDatabase.open(verifyFull("localhost", OTHER_CA.certificatePem() + CA.certificatePem()))) {
      assertThat(db.check(null).role()).isEqualTo(postgres.user());
    }
  }

  @Test
  void aWrongCaIsServerCertificateNotTrusted() {
    assertFailure(verifyFull("localhost", OTHER_CA.certificatePem()), e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.SERVER_CERTIFICATE_NOT_TRUSTED);
      assertThat(e).hasMessageStartingWith("the certificate of PostgreSQL at localhost:" + postgres.port()
          + "/postgres does not verify against the CA in spec.database.caSecretRef (")
          .hasMessageContaining("Put the PEM certificate of the CA that signed the server's certificate");
    });
  }

  @Test
  void withoutACaTheJvmsCasDoNotTrustATestCertificate() {
    assertFailure(verifyFull("localhost", null), e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.SERVER_CERTIFICATE_NOT_TRUSTED);
      assertThat(e).hasMessageContaining("does not verify against the CAs the JVM trusts (the tenant sets no "
          + "spec.database.caSecretRef)");
    });
  }

  @Test
  void aHostTheCertificateDoesNotNameIsServerCertificateHostMismatch() {
    assertFailure(verifyFull("127.0.0.1", CA.certificatePem()), e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.SERVER_CERTIFICATE_HOST_MISMATCH);
      assertThat(e).hasMessageStartingWith("the certificate of PostgreSQL at 127.0.0.1:" + postgres.port()
          + "/postgres is not issued for host 127.0.0.1 (spec.database.host)")
          .hasMessageContaining("Set spec.database.host to a name the server's certificate lists");
    });
  }

  @Test
  void aServerWithoutTlsIsServerWithoutTls() {
    ConnectionSettings settings = new ConnectionSettings(plain.host(), plain.port(), plain.database(), plain.user(),
        plain.password(), "verify-full", null, CA.certificatePem());

    assertFailure(settings, e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.SERVER_WITHOUT_TLS);
      assertThat(e).hasMessageStartingWith("PostgreSQL at localhost:" + plain.port() + "/postgres does not accept TLS "
          + "connections, and spec.database.sslMode verify-full needs TLS");
    });
  }

  private static ConnectionSettings verifyFull(String host, String caPem) {
    return new ConnectionSettings(host, postgres.port(), postgres.database(), postgres.user(), postgres.password(),
        "verify-full", null, caPem);
  }

  /** The failure, and a message for people: no Java class names, nothing of the CA's PEM text. */
  private static void assertFailure(ConnectionSettings settings, ThrowingConsumer<DatabaseException> check) {
    assertThatThrownBy(() -> TenantDatabase.open(settings)).isInstanceOfSatisfying(DatabaseException.class, e -> {
      check.accept(e);
      assertThat(e.getMessage()).doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Za-z]+(Exception|Verifier|Factory)")
          .doesNotContain("Exception").doesNotContain("BEGIN CERTIFICATE");
    });
  }

  private static Path tempDirectory() {
    try {
      return Files.createTempDirectory("slipstream-pg-tls-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
