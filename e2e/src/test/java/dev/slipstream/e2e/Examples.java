package dev.slipstream.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.testing.RepositoryLayout;
import dev.slipstream.testing.postgres.TestPostgres;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The steps of examples/README.md that the end-to-end tests run as written: {@code schema.sql} in
 * database {@code app}, a copy of {@code examples/} with the tenant's database host and port
 * changed (the one edit the README asks for), and {@code token.sh}.
 */
final class Examples {

  private Examples() {
  }

  /** {@code createdb app; psql -d app -f examples/schema.sql}, as the superuser. */
  static void prepareDatabase(TestPostgres postgres) throws IOException, SQLException {
    postgres.execute("CREATE DATABASE app");
    sql(postgres, Files.readString(RepositoryLayout.examples().resolve("schema.sql")));
  }

  /** Runs SQL in database {@code app} as the superuser, as {@code psql -d app} would. */
  static void sql(TestPostgres postgres, String... statements) throws SQLException {
    try (Connection connection = connect(postgres); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  /** The first column of the first row of a query in database {@code app}. */
  static long count(TestPostgres postgres, String query) throws SQLException {
    try (Connection connection = connect(postgres); Statement statement = connection.createStatement();
        var rows = statement.executeQuery(query)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** A connection to database {@code app} as the superuser. */
  static Connection connect(TestPostgres postgres) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://localhost:" + postgres.port() + "/app", postgres.user(),
        postgres.password());
  }

  /** {@code examples/} copied, with the tenant's database host and port replaced. */
  static Path copyWithDatabase(String host, int port) throws IOException {
    Path copy = Files.createTempDirectory("slipstream-examples");
    try (Stream<Path> files = Files.list(RepositoryLayout.examples())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        Files.copy(file, copy.resolve(file.getFileName()));
      }
    }
    Path tenant = copy.resolve("acme-tenant.yaml");
    String original = Files.readString(tenant);
    String edited = original.replace("host: acme-db.acme.svc", "host: " + host).replace("port: 5432", "port: " + port);
    assertThat(edited).as("the tenant's database host and port are where the README says").isNotEqualTo(original)
        .contains("host: " + host, "port: " + port);
    Files.writeString(tenant, edited);
    return copy;
  }

  /** Removes a directory and what it holds, such as a copy made by {@link #copyWithDatabase}; nothing when absent. */
  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** {@code JWT_SECRET=<secret> examples/token.sh <sub>}. */
  static String token(String secret, String sub) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", RepositoryLayout.examples().resolve("token.sh").toString(), sub)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("JWT_SECRET", secret);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(err).isZero();
    assertThat(out).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    return out;
  }
}
