package dev.slipstream.operator.publication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.PublishedTable;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.tenant.ClusterAsserts;
import dev.slipstream.operator.tenant.TestCluster;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The publication reconciler against a real API server and a real PostgreSQL 17. */
class PublicationReconcilerIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final TestPostgres postgres = TestCluster.postgres();

  @BeforeAll
  static void tables() {
    postgres.execute(
        "CREATE TABLE IF NOT EXISTS public.pub_orders (id bigint PRIMARY KEY, status text, total numeric)",
        "CREATE TABLE IF NOT EXISTS public.pub_customers (id bigint PRIMARY KEY, name text)");
  }

  @Test
  void createsAltersAndDropsThePublication() throws SQLException {
    tenantWithSecret("shop", "Delete");
    RealtimePublication orders = publication("orders", "shop", "Delete", "pub_orders");
    orders.getSpec().getTables().get(0).setColumns(List.of("id", "status"));
    orders.getSpec().getTables().get(0).setWhere("id > 0");
    operator.create(orders);

    RealtimePublication ready = awaitReady("orders");
    assertThat(ready.getStatus().getPublicationName()).isEqualTo("shop_orders");
    assertThat(ready.getStatus().getTableCount()).isEqualTo(1);
    assertThat(ready.getStatus().getTables()).singleElement()
        .satisfies(t -> assertThat(t.getSchema() + "." + t.getName()).isEqualTo("public.pub_orders"));
    assertThat(ready.getStatus().getObservedGeneration()).isEqualTo(ready.getMetadata().getGeneration());
    assertThat(publishedTables("shop_orders")).containsExactly("public.pub_orders");
    assertThat(columnsAndFilter("shop_orders", "pub_orders")).isEqualTo("{id,status} WHERE (id > 0)");
    assertThat(managedFieldsOfStatus(ready)).contains("slipstream-operator");

    RealtimePublication changed = operator.get(RealtimePublication.class, "orders");
    changed.getSpec().getTables().add(table("pub_customers"));
    operator.replace(changed);
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(publishedTables("shop_orders")).containsExactly("public.pub_customers", "public.pub_orders"));
    await().atMost(TIMEOUT).untilAsserted(() ->
        assertThat(operator.get(RealtimePublication.class, "orders").getStatus().getTableCount()).isEqualTo(2));

    operator.delete(operator.get(RealtimePublication.class, "orders"));
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(operator.get(RealtimePublication.class, "orders")).isNull();
      assertThat(publicationExists("shop_orders")).isFalse();
    });
  }

  @Test
  void retainKeepsThePublication() throws SQLException {
    tenantWithSecret("keep", "Retain");
    operator.create(publication("kept", "keep", "Retain", "pub_orders"));
    awaitReady("kept");

    operator.delete(operator.get(RealtimePublication.class, "kept"));
    await().atMost(TIMEOUT).until(() -> operator.get(RealtimePublication.class, "kept") == null);
    assertThat(publicationExists("keep_kept")).isTrue();
    postgres.execute("DROP PUBLICATION keep_kept");
  }

  @Test
  void missingTenantAndSecretAreConditions() {
    operator.create(publication("orphan", "ghost", "Delete", "pub_orders"));
    Condition noTenant = awaitReadyCondition("orphan", "TenantNotFound");
    assertThat(noTenant.getStatus()).isEqualTo(Condition.FALSE);
    assertThat(noTenant.getMessage()).contains("ghost");

    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("ghost", "ghost-db", "Delete")));
    Condition noSecret = awaitReadyCondition("orphan", "SecretNotFound");
    assertThat(noSecret.getMessage()).contains("ghost-db");

    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("ghost-db", postgres.password())));
    awaitReady("orphan");
  }

  @Test
  void postgresErrorsAreSurfaced() {
    tenantWithSecret("bad", "Delete");
    RealtimePublication missingTable = publication("missing", "bad", "Delete", "no_such_table");
    operator.create(missingTable);
    Condition condition = awaitReadyCondition("missing", "TableNotFound");
    assertThat(condition.getStatus()).isEqualTo(Condition.FALSE);
    assertThat(condition.getMessage()).contains("no_such_table");
  }

  @Test
  void aBadRowFilterCarriesPostgresMessage() {
    tenantWithSecret("filter", "Delete");
    RealtimePublication bad = publication("filtered", "filter", "Delete", "pub_orders");
    bad.getSpec().getTables().get(0).setWhere("no_such_column > 1");
    operator.create(bad);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      RealtimePublication current = operator.get(RealtimePublication.class, "filtered");
      Optional<Condition> ready = current.getStatus() == null ? Optional.empty()
          : Conditions.find(current.getStatus().getConditions(), ConditionTypes.READY);
      assertThat(ready).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo(Condition.FALSE);
        assertThat(c.getReason()).isIn("InvalidRowFilter", "ColumnNotFound");
        assertThat(c.getMessage()).contains("no_such_column");
      });
    });
  }

  @Test
  void aSecondClaimOnOnePublicationIsAConflictAndNeverTouchesIt() throws SQLException {
    tenantWithSecret("dup", "Delete");
    RealtimePublication first = publication("first", "dup", "Delete", "pub_orders");
    first.getSpec().setPublicationName("dup_shared");
    operator.create(first);
    awaitReady("first");
    ClusterAsserts.awaitEvent(operator, "RealtimePublication", "first", "Normal", "Available");

    RealtimePublication second = publication("second", "dup", "Delete", "pub_customers");
    second.getSpec().setPublicationName("dup_shared");
    operator.create(second);
    Condition conflict = awaitReadyCondition("second", "PublicationConflict");
    assertThat(conflict.getStatus()).isEqualTo(Condition.FALSE);
    assertThat(conflict.getMessage()).contains("dup_shared").contains("/first");
    ClusterAsserts.awaitEvent(operator, "RealtimePublication", "second", "Warning", "PublicationConflict");
    assertThat(publishedTables("dup_shared")).containsExactly("public.pub_orders");

    // Deleting the younger claimant with reclaimPolicy Delete must not drop the older one's publication.
    operator.delete(operator.get(RealtimePublication.class, "second"));
    await().atMost(TIMEOUT).until(() -> operator.get(RealtimePublication.class, "second") == null);
    assertThat(publicationExists("dup_shared")).isTrue();
    assertThat(publishedTables("dup_shared")).containsExactly("public.pub_orders");
    assertThat(Conditions.find(operator.get(RealtimePublication.class, "first").getStatus().getConditions(),
        ConditionTypes.READY)).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo(Condition.TRUE));
  }

  /**
   * Every failure a user can cause in the publication's database, at once, each with its own reason
   * and a message that names what to change and no Java class. The operator runs with the metrics
   * of production (which wrap reconcile failures; see TestCluster.operator()).
   */
  @Test
  void everyFailureAUserCanCauseHasItsOwnReasonAndSaysWhatToChange() throws Exception {
    postgres.execute("CREATE TABLE IF NOT EXISTS public.walk_no_pk (a int, b text)",
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'walk_guest') THEN "
            + "CREATE ROLE walk_guest LOGIN REPLICATION; END IF; END $$",
        "GRANT CREATE ON DATABASE " + postgres.database() + " TO walk_guest");
    postgres.requirePassword("walk_locked", "Walk-Right-Password-1");
    tenantWithSecret("walk", "Delete");
    tenantAs("walkguest", "walk_guest", "any", postgres.port(), postgres.database());
    tenantAs("walkpw", "walk_locked", "Walk-Wrong-Password-2", postgres.port(), postgres.database());
    tenantAs("walkdb", postgres.user(), postgres.password(), postgres.port(), "walk_no_such_database");
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    tenantAs("walkgone", postgres.user(), postgres.password(), closedPort, postgres.database());

    record Case(String publication, String tenant, String table, String schema, List<String> columns, String where,
        String reason, String mentions) { }
    List<Case> cases = List.of(
        new Case("w-table", "walk", "walk_missing", "public", null, null, "TableNotFound", "walk_missing"),
        new Case("w-schema", "walk", "t", "walk_nowhere", null, null, "SchemaNotFound", "walk_nowhere"),
        new Case("w-column", "walk", "pub_orders", "public", List.of("id", "walk_col"), null, "ColumnNotFound", "walk_col"),
        new Case("w-filter", "walk", "pub_orders", "public", null, "walk_col > 1", "InvalidRowFilter", "walk_col"),
        new Case("w-mutable", "walk", "pub_orders", "public", null, "random() > 0.5", "InvalidRowFilter", "mutable"),
        new Case("w-escape", "walk", "pub_orders", "public", null, "true); DROP TABLE pub_orders; --", "InvalidRowFilter",
            "parenthesis"),
        new Case("w-identity", "walk", "walk_no_pk", "public", null, null, "ReplicaIdentityInsufficient", "primary key"),
        new Case("w-owner", "walkguest", "pub_orders", "public", null, null, "InsufficientPrivilege", "owner"),
        new Case("w-password", "walkpw", "pub_orders", "public", null, null, "AuthenticationFailed", "walk_locked"),
        new Case("w-database", "walkdb", "pub_orders", "public", null, null, "DatabaseNotFound", "walk_no_such_database"),
        new Case("w-unreachable", "walkgone", "pub_orders", "public", null, null, "DatabaseUnreachable",
            String.valueOf(closedPort)),
        new Case("w-tenant", "walk-missing-tenant", "pub_orders", "public", null, null, "TenantNotFound",
            "walk-missing-tenant"));
    for (Case c : cases) {
      RealtimePublication publication = publication(c.publication(), c.tenant(), "Delete", c.table());
      publication.getSpec().getTables().get(0).setSchema(c.schema());
      publication.getSpec().getTables().get(0).setColumns(c.columns());
      publication.getSpec().getTables().get(0).setWhere(c.where());
      operator.create(publication);
    }
    for (Case c : cases) {
      Condition condition = awaitReadyCondition(c.publication(), c.reason());
      assertThat(condition.getStatus()).isEqualTo(Condition.FALSE);
      assertThat(condition.getMessage()).as(c.publication()).contains(c.mentions())
          .doesNotContain("Exception").doesNotContain("dev.slipstream").doesNotContain("java.")
          .doesNotContain("org.postgresql").doesNotContain("Walk-Wrong-Password-2").doesNotContain("\tat ");
      assertThat(condition.getMessage()).as(c.publication() + " says what to change")
          .containsAnyOf("spec.", "primary key", "Create", "create", "ALTER");
    }
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement("SELECT to_regclass('public.pub_orders') IS NOT NULL");
        ResultSet rs = query.executeQuery()) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("pub_orders after a row filter that tried to drop it").isTrue();
    }
  }

  private void tenantAs(String tenant, String user, String password, int port, String database) {
    KubernetesClient client = operator.getKubernetesClient();
    operator.create(TestCluster.load(client, Secret.class, """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s-db}
        stringData: {username: %s, password: %s}
        """.formatted(tenant, user, password)));
    operator.create(TestCluster.load(client, RealtimeTenant.class, TestCluster.tenantYaml(tenant, tenant + "-db", "Delete", port)
        .replace("name: " + postgres.database() + ",", "name: " + database + ",")));
  }

  private void tenantWithSecret(String tenant, String reclaimPolicy) {
    KubernetesClient client = operator.getKubernetesClient();
    operator.create(TestCluster.load(client, Secret.class, TestCluster.secretYaml(tenant + "-db", postgres.password())));
    operator.create(TestCluster.load(client, RealtimeTenant.class, TestCluster.tenantYaml(tenant, tenant + "-db", reclaimPolicy)));
  }

  private RealtimePublication publication(String name, String tenant, String reclaimPolicy, String table) {
    return TestCluster.load(operator.getKubernetesClient(), RealtimePublication.class, """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimePublication
        metadata: {name: %s}
        spec:
          tenantRef: {name: %s}
          tables: [{schema: public, name: %s}]
          reclaimPolicy: %s
        """.formatted(name, tenant, table, reclaimPolicy));
  }

  private static PublishedTable table(String name) {
    PublishedTable table = new PublishedTable();
    table.setSchema("public");
    table.setName(name);
    return table;
  }

  private RealtimePublication awaitReady(String name) {
    awaitReadyCondition(name, "Available");
    return operator.get(RealtimePublication.class, name);
  }

  private Condition awaitReadyCondition(String name, String reason) {
    List<Condition> found = new ArrayList<>();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      RealtimePublication current = operator.get(RealtimePublication.class, name);
      Optional<Condition> ready = current == null || current.getStatus() == null ? Optional.empty()
          : Conditions.find(current.getStatus().getConditions(), ConditionTypes.READY);
      assertThat(ready).as("Ready condition of " + name).hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(reason));
      found.add(ready.get());
    });
    return found.get(found.size() - 1);
  }

  private static List<String> managedFieldsOfStatus(RealtimePublication publication) {
    return publication.getMetadata().getManagedFields().stream()
        .filter(f -> "status".equals(f.getSubresource())).map(f -> f.getManager()).toList();
  }

  private static List<String> publishedTables(String publication) throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ? ORDER BY 1")) {
      query.setString(1, publication);
      List<String> tables = new ArrayList<>();
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      return tables;
    }
  }

  private static String columnsAndFilter(String publication, String table) throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement(
            "SELECT attnames::text || ' WHERE ' || rowfilter FROM pg_publication_tables WHERE pubname = ? AND tablename = ?")) {
      query.setString(1, publication);
      query.setString(2, table);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static boolean publicationExists(String publication) throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      query.setString(1, publication);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next();
      }
    }
  }
}
