package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Publications applied to a real PostgreSQL 17 and read back from its catalogs. */
class PublicationIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  private static final Set<PublishOperation> INSERT_ONLY = EnumSet.of(PublishOperation.INSERT);
  private static final Set<PublishOperation> ALL = EnumSet.allOf(PublishOperation.class);

  @BeforeAll
  static void schema() {
    postgres.execute(
        "CREATE TABLE orders (id int PRIMARY KEY, status text, total numeric, customer_id int, data jsonb)",
        "CREATE TABLE items (id int PRIMARY KEY, order_id int, qty int)",
        "CREATE TABLE no_pk (a int, b text)",
        "CREATE SCHEMA billing",
        "CREATE TABLE billing.invoices (id int PRIMARY KEY)",
        "CREATE TABLE billing.payments (id int PRIMARY KEY)",
        "CREATE SCHEMA \"Sales Dept\"",
        "CREATE TABLE \"Sales Dept\".\"Orders \"\"2025\"\" Größe 表\" (\"Id\" int PRIMARY KEY, \"Status\" text)");
  }

  private static TenantDatabase open() {
    return TenantDatabase.open(TestDatabases.superuser(postgres));
  }

  private static PublicationTable table(String schema, String name) {
    return PublicationTable.of(schema, name);
  }

  /** Rows of pg_publication_tables: schema.table [attnames] rowfilter. */
  private static List<String> publicationTables(String publication) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = postgres.connect(); PreparedStatement q = c.prepareStatement(
        "SELECT schemaname, tablename, attnames::text, rowfilter FROM pg_publication_tables WHERE pubname = ? ORDER BY 1, 2")) {
      q.setString(1, publication);
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1) + "." + rs.getString(2) + " " + rs.getString(3) + " " + rs.getString(4));
        }
      }
    }
    return rows;
  }

  private static String replicaIdentity(String table) throws SQLException {
    try (Connection c = postgres.connect(); PreparedStatement q = c.prepareStatement(
        "SELECT relreplident FROM pg_class WHERE oid = ?::regclass")) {
      q.setString(1, table);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  @Test
  void createsWithAColumnListAndARowFilterAndThenLeavesItAlone() throws SQLException {
    DesiredPublication desired = new DesiredPublication("orders_pub",
        List.of(table("public", "orders").withColumns("id", "status", "total").withRowFilter("status <> 'draft'")),
        List.of(), EnumSet.of(PublishOperation.INSERT, PublishOperation.TRUNCATE), false);
    try (TenantDatabase db = open()) {
      PublicationChange created = db.apply(desired);

      assertThat(created.statements()).containsExactly("CREATE PUBLICATION \"orders_pub\" FOR TABLE \"public\".\"orders\" "
          + "(\"id\", \"status\", \"total\") WHERE (status <> 'draft') WITH (publish = 'insert, truncate')");
      assertThat(publicationTables("orders_pub"))
          .containsExactly("public.orders {id,status,total} (status <> 'draft'::text)");
      PublicationState state = created.state();
      assertThat(state.operations()).containsExactlyInAnyOrder(PublishOperation.INSERT, PublishOperation.TRUNCATE);
      assertThat(state.members()).containsExactly(
          table("public", "orders").withColumns("id", "status", "total").withRowFilter("(status <> 'draft'::text)"));
      assertThat(state.tables()).containsExactly(new PublishedTableState(new TableName("public", "orders"),
          List.of("id", "status", "total"), "(status <> 'draft'::text)", ReplicaIdentity.DEFAULT));
      assertThat(state.comment()).startsWith("Managed by Slipstream");
      assertThat(db.publication("orders_pub")).contains(state);

      PublicationChange again = db.apply(desired);
      assertThat(again.changed()).as("an unchanged spec runs no ALTER").isFalse();
      assertThat(PublicationPlan.inSync(desired, again.state(), db.version())).isTrue();
    }
  }

  @Test
  void altersTablesColumnsFiltersAndOperations() throws SQLException {
    try (TenantDatabase db = open()) {
      db.apply(new DesiredPublication("alter_pub", List.of(table("public", "orders").withColumns("id", "status")),
          List.of(), INSERT_ONLY, false));

      DesiredPublication changed = new DesiredPublication("alter_pub", List.of(
          table("public", "orders").withColumns("id", "total").withRowFilter("total > 100"),
          table("public", "items")), List.of(), EnumSet.of(PublishOperation.INSERT, PublishOperation.TRUNCATE), false);
      PublicationChange change = db.apply(changed);

      assertThat(change.statements()).containsExactly(
          "ALTER PUBLICATION \"alter_pub\" SET (publish = 'insert, truncate')",
          "ALTER PUBLICATION \"alter_pub\" SET TABLE \"public\".\"orders\" (\"id\", \"total\") WHERE (total > 100), "
              + "\"public\".\"items\"");
      assertThat(publicationTables("alter_pub")).containsExactly(
          "public.items {id,order_id,qty} null",
          "public.orders {id,total} (total > (100)::numeric)");
      assertThat(db.apply(changed).changed()).isFalse();
    }
  }

  @Test
  void publishesSchemasAndHostileNamesTogether() throws SQLException {
    DesiredPublication desired = new DesiredPublication("Schemas \"and\" Ünïcode",
        List.of(table("Sales Dept", "Orders \"2025\" Größe 表")), List.of("billing"), ALL, false);
    try (TenantDatabase db = open()) {
      PublicationState state = db.apply(desired).state();

      assertThat(state.schemas()).containsExactly("billing");
      assertThat(state.tables()).extracting(t -> t.table().toString()).containsExactly(
          "Sales Dept.Orders \"2025\" Größe 表", "billing.invoices", "billing.payments");
      assertThat(publicationTables("Schemas \"and\" Ünïcode")).hasSize(3);

      DesiredPublication fewer = new DesiredPublication(desired.name(), List.of(), List.of("billing"), ALL, false);
      assertThat(db.apply(fewer).state().tables()).extracting(t -> t.table().toString())
          .containsExactly("billing.invoices", "billing.payments");
      assertThat(db.dropPublication(desired.name())).isTrue();
    }
  }

  @Test
  void aFilterChangedBehindTheOperatorsBackIsPutBack() throws SQLException {
    DesiredPublication desired = new DesiredPublication("drift_pub",
        List.of(table("public", "orders").withRowFilter("customer_id = 7")), List.of(), INSERT_ONLY, false);
    try (TenantDatabase db = open()) {
      db.apply(desired);
      postgres.execute("ALTER PUBLICATION drift_pub SET TABLE orders WHERE (customer_id = 8)");

      assertThat(db.apply(desired).changed()).isTrue();
      assertThat(publicationTables("drift_pub")).containsExactly("public.orders {id,status,total,customer_id,data} (customer_id = 7)");
    }
  }

  @Test
  void aRowFilterWithJdbcLookalikesReachesPostgresUntouched() throws SQLException {
    DesiredPublication desired = new DesiredPublication("jsonb_pub",
        List.of(table("public", "orders").withRowFilter("data ? 'vip' AND status <> '{fn now()}'")), List.of(), INSERT_ONLY, false);
    try (TenantDatabase db = open()) {
      db.apply(desired);

      assertThat(publicationTables("jsonb_pub")).singleElement().asString()
          .contains("(data ? 'vip'::text)").contains("'{fn now()}'::text");
    }
  }

  @Test
  void aBadRowFilterSurfacesPostgresMessageAndCreatesNothing() {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(new DesiredPublication("bad_filter_pub", List.of(
          table("public", "items"), table("public", "orders").withRowFilter("nonexistent > 1")), List.of(), INSERT_ONLY, false)))
          .isInstanceOfSatisfying(PublicationException.class, e -> {
            assertThat(e.reason()).isEqualTo(PostgresReasons.INVALID_ROW_FILTER);
            assertThat(e).hasMessageStartingWith("row filter of public.orders is invalid: column \"nonexistent\" does not exist");
          });
      assertThatThrownBy(() -> db.apply(new DesiredPublication("bad_filter_pub",
          List.of(table("public", "orders").withRowFilter("random() > 0.5")), List.of(), INSERT_ONLY, false)))
          .isInstanceOfSatisfying(PublicationException.class, e -> {
            assertThat(e.reason()).isEqualTo(PostgresReasons.INVALID_ROW_FILTER);
            assertThat(e).hasMessageStartingWith("row filter of public.orders is invalid: invalid publication WHERE expression "
                + "(User-defined or built-in mutable functions are not allowed.)");
          });
      assertThat(db.publication("bad_filter_pub")).isEmpty();
    }
  }

  @Test
  void aFilterThatTriesToLeaveItsParenthesesNeverReachesPostgres() throws SQLException {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(new DesiredPublication("breakout_pub",
          List.of(table("public", "items").withRowFilter("true); DROP TABLE items; --")), List.of(), INSERT_ONLY, false)))
          .isInstanceOfSatisfying(PublicationException.class,
              e -> assertThat(e.reason()).isEqualTo(PostgresReasons.INVALID_ROW_FILTER));
    }
    try (Connection c = postgres.connect(); ResultSet rs = c.createStatement().executeQuery(
        "SELECT to_regclass('public.items') IS NOT NULL")) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("the table is still there").isTrue();
    }
  }

  @Test
  void missingTablesSchemasAndColumnsAreNamed() {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(new DesiredPublication("missing_pub",
          List.of(table("public", "orders"), table("public", "no_such_table")), List.of(), INSERT_ONLY, false)))
          .isInstanceOfSatisfying(PublicationException.class, e -> {
            assertThat(e.reason()).isEqualTo(PostgresReasons.TABLE_NOT_FOUND);
            assertThat(e).hasMessageStartingWith("publication missing_pub: relation \"public.no_such_table\" does not exist");
          });
      assertThatThrownBy(() -> db.apply(new DesiredPublication("missing_pub", List.of(), List.of("no_such_schema"),
          INSERT_ONLY, false))).isInstanceOfSatisfying(PublicationException.class, e -> {
            assertThat(e.reason()).isEqualTo(PostgresReasons.SCHEMA_NOT_FOUND);
            assertThat(e).hasMessageStartingWith("publication missing_pub: schema \"no_such_schema\" does not exist");
          });
      assertThatThrownBy(() -> db.apply(new DesiredPublication("missing_pub",
          List.of(table("public", "orders").withColumns("id", "no_such_column")), List.of(), INSERT_ONLY, false)))
          .isInstanceOfSatisfying(PublicationException.class, e -> {
            assertThat(e.reason()).isEqualTo(PostgresReasons.COLUMN_NOT_FOUND);
            assertThat(e).hasMessageStartingWith("publication missing_pub: column \"no_such_column\" of relation \"orders\" does not exist");
          });
      assertThat(db.publication("missing_pub")).isEmpty();
    }
  }

  @Test
  void replicaIdentityFullIsAppliedToEveryPublishedTable() throws SQLException {
    postgres.execute("CREATE SCHEMA audit", "CREATE TABLE audit.log (id int PRIMARY KEY, note text)",
        "CREATE TABLE audit.trail (at timestamptz)");
    DesiredPublication desired = new DesiredPublication("full_pub", List.of(), List.of("audit"), ALL, true);
    try (TenantDatabase db = open()) {
      PublicationChange change = db.apply(desired);

      assertThat(change.statements()).containsExactly(
          "CREATE PUBLICATION \"full_pub\" FOR TABLES IN SCHEMA \"audit\" WITH (publish = 'insert, update, delete, truncate')",
          "ALTER TABLE \"audit\".\"log\" REPLICA IDENTITY FULL",
          "ALTER TABLE \"audit\".\"trail\" REPLICA IDENTITY FULL");
      assertThat(change.state().tables()).extracting(PublishedTableState::replicaIdentity)
          .containsOnly(ReplicaIdentity.FULL);
      assertThat(replicaIdentity("audit.trail")).isEqualTo("f");
      assertThat(db.apply(desired).changed()).isFalse();

      postgres.execute("CREATE TABLE audit.later (id int PRIMARY KEY)");
      assertThat(db.apply(desired).statements()).containsExactly("ALTER TABLE \"audit\".\"later\" REPLICA IDENTITY FULL");
    }
  }

  @Test
  void refusesWhatWouldMakePostgresRejectTheTenantsUpdates() throws SQLException {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(new DesiredPublication("no_pk_pub", List.of(table("public", "no_pk")), List.of(),
          ALL, false))).isInstanceOfSatisfying(PublicationException.class, e -> {
            assertThat(e.reason()).isEqualTo(PostgresReasons.REPLICA_IDENTITY_INSUFFICIENT);
            assertThat(e).hasMessage("publication no_pk_pub was not changed: public.no_pk has no primary key (REPLICA "
                + "IDENTITY DEFAULT): add a primary key or set replicaIdentityFull: true; PostgreSQL would refuse every "
                + "UPDATE and DELETE on the table while it is published with updates or deletes");
          });
      assertThat(db.publication("no_pk_pub")).as("rolled back").isEmpty();
      postgres.execute("UPDATE no_pk SET b = 'still writable'");

      assertThatThrownBy(() -> db.apply(new DesiredPublication("filter_pub",
          List.of(table("public", "items").withRowFilter("qty > 0")), List.of(), ALL, false)))
          .isInstanceOfSatisfying(PublicationException.class, e -> assertThat(e)
              .hasMessageContaining("the row filter of public.items uses [qty], outside its replica identity [id]"));

      // The same filter is fine once the whole old row is the identity.
      assertThat(db.apply(new DesiredPublication("filter_pub",
          List.of(table("public", "items").withRowFilter("qty > 0")), List.of(), ALL, true)).changed()).isTrue();
      postgres.execute("UPDATE items SET qty = 2");
      assertThat(replicaIdentity("public.items")).isEqualTo("f");
    }
  }

  @Test
  void dropsWhatExistsAndToleratesWhatDoesNot() {
    try (TenantDatabase db = open()) {
      db.apply(new DesiredPublication("drop_pub", List.of(table("public", "orders")), List.of(), INSERT_ONLY, false));

      assertThat(db.dropPublication("drop_pub")).isTrue();
      assertThat(db.publication("drop_pub")).isEmpty();
      assertThat(db.dropPublication("drop_pub")).isFalse();
    }
  }

  @Test
  void readsNothingForAnUnknownPublication() {
    try (TenantDatabase db = open()) {
      assertThat(db.publication("never_created")).isEmpty();
    }
  }
}
