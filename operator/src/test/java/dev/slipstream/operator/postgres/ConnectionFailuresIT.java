package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.testing.postgres.TestPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection failures against a real server, each classified with a message fit for a condition.
 * The unreachable cases run under a JUnit timeout: they prove the call returns, not how fast.
 */
class ConnectionFailuresIT {

  private static final String ROLE = "pw_app";
  private static final String PASSWORD = "Right-H0rse-Battery";
  private static final String WRONG_PASSWORD = "Wr0ng-Staple-Guess";

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @BeforeAll
  static void requirePasswordForOneRole() {
    postgres.requirePassword(ROLE, PASSWORD);
  }

  @Test
  void theRightPasswordConnects() {
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.as(postgres, ROLE, PASSWORD))) {
      assertThat(db.check(null).role()).isEqualTo(ROLE);
    }
  }

  @Test
  void aWrongPasswordIsAuthenticationFailedAndNeverShowsThePassword() {
    ConnectionSettings settings = TestDatabases.as(postgres, ROLE, WRONG_PASSWORD);

    assertThatThrownBy(() -> TenantDatabase.open(settings)).isInstanceOfSatisfying(DatabaseException.class, e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.AUTHENTICATION_FAILED);
      assertThat(e.sqlState()).isEqualTo("28P01");
      assertThat(e).hasMessageStartingWith("PostgreSQL at localhost:" + postgres.port() + "/postgres rejected role pw_app: "
          + "password authentication failed for user \"pw_app\"");
      assertThat(everythingPrinted(e)).doesNotContain(WRONG_PASSWORD).doesNotContain(PASSWORD);
    });
  }

  @Test
  void aMissingDatabaseIsDatabaseNotFound() {
    ConnectionSettings settings = new ConnectionSettings(postgres.host(), postgres.port(), "no_such_db",
        postgres.user(), postgres.password(), "disable", null);

    assertThatThrownBy(() -> TenantDatabase.open(settings)).isInstanceOfSatisfying(DatabaseException.class, e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_NOT_FOUND);
      assertThat(e).hasMessageStartingWith("database no_such_db does not exist on localhost:" + postgres.port());
    });
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aClosedPortIsUnreachable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    ConnectionSettings settings = new ConnectionSettings("127.0.0.1", port, "app", "app", PASSWORD, "disable", null);

    assertThatThrownBy(() -> TenantDatabase.open(settings)).isInstanceOfSatisfying(DatabaseException.class, e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_UNREACHABLE);
      assertThat(e).hasMessageStartingWith("cannot reach PostgreSQL at 127.0.0.1:" + port + "/app: connection refused");
      assertThat(everythingPrinted(e)).doesNotContain(PASSWORD);
    });
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void anUnknownHostIsUnreachable() {
    ConnectionSettings settings = new ConnectionSettings("no-such-host.invalid", 5432, "app", "app", PASSWORD, "disable", null);

    assertThatThrownBy(() -> TenantDatabase.open(settings)).isInstanceOfSatisfying(DatabaseException.class, e -> {
      assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_UNREACHABLE);
      assertThat(e).hasMessageContaining("no-such-host.invalid");
    });
  }

  /** A peer that accepts the TCP connection and never says a word: only the timeouts end the wait. */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void aSilentServerIsUnreachableOnceTheTimeoutsExpire() throws Exception {
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    Thread acceptor = Thread.ofVirtual().start(() -> {
      try {
        while (true) {
          accepted.add(silent.accept());
        }
      } catch (IOException closed) {
        // The test is over.
      }
    });
    try {
      ConnectionSettings settings = new ConnectionSettings("127.0.0.1", silent.getLocalPort(), "app", "app", PASSWORD,
          "disable", new ConnectionSettings.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(2),
              Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)));

      assertThatThrownBy(() -> TenantDatabase.open(settings)).isInstanceOfSatisfying(DatabaseException.class, e -> {
        assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_UNREACHABLE);
        assertThat(e).hasMessageContaining("no answer within");
      });
    } finally {
      silent.close();
      acceptor.join();
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  /** Message, toString and the stack trace of the whole cause chain: what could reach a log or a status. */
  private static String everythingPrinted(Throwable e) {
    StringWriter text = new StringWriter();
    e.printStackTrace(new PrintWriter(text));
    return e + "\n" + text;
  }
}
