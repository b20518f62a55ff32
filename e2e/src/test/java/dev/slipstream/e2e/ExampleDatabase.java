package dev.slipstream.e2e;

import dev.slipstream.api.v1alpha1.PublishedTable;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The tenant database that an applied example describes, made on the embedded PostgreSQL: the
 * role from the tenant's credentials Secret (LOGIN REPLICATION, password required), the database
 * the tenant names and owned by that role, and every table that the tenant's publications publish,
 * also owned by the role, as the example's comments ask. The tables of the examples have their
 * real columns; a table added to the examples later gets {@code id} plus its listed columns as text.
 */
final class ExampleDatabase {

  private static final Map<String, String> KNOWN_TABLES = Map.of(
      "public.orders", "id bigint PRIMARY KEY, customer_id bigint, status text, total numeric",
      "public.messages", "id bigint PRIMARY KEY, room text, body text");

  private final TestPostgres postgres;
  private final String database;
  private final String role;

  private ExampleDatabase(TestPostgres postgres, String database, String role) {
    this.postgres = postgres;
    this.database = database;
    this.role = role;
  }

  static ExampleDatabase create(KubernetesClient client, TestPostgres postgres, RealtimeTenant tenant) {
    String namespace = tenant.getMetadata().getNamespace();
    var database = tenant.getSpec().getDatabase();
    var ref = database.getCredentialsSecretRef();
    Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).require();
    String user = value(secret, ref.getUsernameKey() == null ? "username" : ref.getUsernameKey());
    String password = value(secret, ref.getPasswordKey() == null ? "password" : ref.getPasswordKey());
    postgres.requirePassword(user, password);
    postgres.execute("CREATE DATABASE " + database.getName() + " OWNER " + user);
    ExampleDatabase example = new ExampleDatabase(postgres, database.getName(), user);
    for (RealtimePublication publication : client.resources(RealtimePublication.class).inNamespace(namespace).list()
        .getItems()) {
      if (tenant.getMetadata().getName().equals(publication.getSpec().getTenantRef().getName())) {
        for (PublishedTable table : publication.getSpec().getTables()) {
          example.createTable(table);
        }
      }
    }
    return example;
  }

  private void createTable(PublishedTable table) {
    String name = (table.getSchema() == null ? "public" : table.getSchema()) + "." + table.getName();
    String columns = KNOWN_TABLES.getOrDefault(name, "id bigint PRIMARY KEY" + (table.getColumns() == null ? ""
        : table.getColumns().stream().filter(c -> !c.equals("id")).map(c -> ", " + c + " text")
            .reduce("", String::concat)));
    execute("CREATE SCHEMA IF NOT EXISTS " + name.substring(0, name.indexOf('.')),
        "CREATE TABLE IF NOT EXISTS " + name + " (" + columns + ")",
        "ALTER TABLE " + name + " OWNER TO " + role);
  }

  /** Statements in the tenant's database, as the superuser, each in its own transaction. */
  void execute(String... statements) {
    String url = "jdbc:postgresql://" + postgres.host() + ":" + postgres.port() + "/" + database;
    try (Connection connection = DriverManager.getConnection(url, postgres.user(), postgres.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed in " + database + ": " + e.getMessage(), e);
    }
  }

  /** Replication slots of the server. */
  List<String> slots() {
    try (Connection connection = postgres.connect(); Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT slot_name FROM pg_replication_slots ORDER BY 1")) {
      List<String> slots = new java.util.ArrayList<>();
      while (rows.next()) {
        slots.add(rows.getString(1));
      }
      return slots;
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + e.getMessage(), e);
    }
  }

  private static String value(Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      throw new IllegalStateException("Secret " + secret.getMetadata().getName() + " has no key " + key);
    }
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
  }
}
