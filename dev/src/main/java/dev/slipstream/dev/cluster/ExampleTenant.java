package dev.slipstream.dev.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * examples/README.md's steps for the tenant {@code acme}, on this machine: {@code schema.sql} in a
 * new database {@code app}, and a copy of {@code examples/} with the tenant's database host and port
 * pointed at the embedded server (the one edit the README asks for).
 */
final class ExampleTenant {

  static final String NAMESPACE = "acme";
  static final String NAME = "acme";
  static final String RUNTIME_POD_PREFIX = NAME + "-runtime-";

  private ExampleTenant() {
  }

  /** {@code createdb app; psql -d app -f examples/schema.sql}, as the superuser. */
  static void prepareDatabase(Path examples, int port, String user, String password) throws IOException, SQLException {
    try (Connection postgres = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", user,
        password); Statement statement = postgres.createStatement()) {
      statement.execute("CREATE DATABASE app");
    }
    sql(port, user, password, Files.readString(examples.resolve("schema.sql")));
  }

  /** Runs SQL in database {@code app}, as {@code psql -d app -c} would. */
  static void sql(int port, String user, String password, String sql) throws SQLException {
    try (Connection app = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/app", user, password);
        Statement statement = app.createStatement()) {
      statement.execute(sql);
    }
  }

  /** The YAML files of {@code examples/} copied into {@code dir}, the tenant's database at localhost:{@code port}. */
  static Path copyWithDatabase(Path examples, Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.copy(file, dir.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path tenant = dir.resolve("acme-tenant.yaml");
    String original = Files.readString(tenant);
    String edited = original.replace("host: acme-db.acme.svc", "host: localhost").replace("port: 5432", "port: " + port);
    if (!edited.contains("host: localhost") || !edited.contains("port: " + port)) {
      throw new IllegalStateException(tenant + ": spec.database.host/port are no longer where examples/README.md says"
          + " (host: acme-db.acme.svc, port: 5432)");
    }
    Files.writeString(tenant, edited);
    return dir;
  }

  /** What {@code JWT_SECRET=<secret> examples/token.sh <sub>} prints: an HS256 token, valid for a day. */
  static String token(String secret, String sub) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    long now = System.currentTimeMillis() / 1000;
    String header = base64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = base64.encodeToString(("{\"sub\":\"" + sub + "\",\"role\":\"authenticated\",\"iat\":" + now
        + ",\"exp\":" + (now + 86_400) + "}").getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] signature = mac.doFinal((header + "." + claims).getBytes(StandardCharsets.UTF_8));
      return header + "." + claims + "." + base64.encodeToString(signature);
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }
}
