package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.api.v1alpha1.Reasons;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PublicationSqlTest {

  private static final PostgresVersion PG17 = new PostgresVersion(170005, "17.5");
  private static final PostgresVersion PG14 = new PostgresVersion(140011, "14.11");

  private static final PublicationTable ORDERS = PublicationTable.of("public", "orders");

  private static DesiredPublication publication(List<PublicationTable> tables, List<String> schemas, Set<PublishOperation> ops) {
    return new DesiredPublication("acme_orders", tables, schemas, ops, false);
  }

  @Test
  void createsWithOneTableAndEveryOperation() {
    DesiredPublication p = publication(List.of(ORDERS), List.of(), null);

    assertThat(PublicationSql.create(p, PG17)).isEqualTo(
        "CREATE PUBLICATION \"acme_orders\" FOR TABLE \"public\".\"orders\" "
            + "WITH (publish = 'insert, update, delete, truncate')");
  }

  @Test
  void createsWithColumnListsRowFiltersAndSchemas() {
    DesiredPublication p = publication(List.of(
            ORDERS.withColumns("id", "status", "total").withRowFilter("status <> 'draft'"),
            PublicationTable.of("public", "items")),
        List.of("billing", "Audit Log"), EnumSet.of(PublishOperation.UPDATE, PublishOperation.INSERT));

    assertThat(PublicationSql.create(p, PG17)).isEqualTo(
        "CREATE PUBLICATION \"acme_orders\" FOR TABLE \"public\".\"orders\" (\"id\", \"status\", \"total\") "
            + "WHERE (status <> 'draft'), \"public\".\"items\", TABLES IN SCHEMA \"billing\", \"Audit Log\" "
            + "WITH (publish = 'insert, update')");
  }

  @Test
  void createsForSchemasOnly() {
    DesiredPublication p = publication(List.of(), List.of("billing"), EnumSet.of(PublishOperation.INSERT));

    assertThat(PublicationSql.create(p, PG17))
        .isEqualTo("CREATE PUBLICATION \"acme_orders\" FOR TABLES IN SCHEMA \"billing\" WITH (publish = 'insert')");
  }

  @Test
  void quotesHostileIdentifiersEverywhere() {
    DesiredPublication p = new DesiredPublication("Acme \"Orders\"",
        List.of(new PublicationTable(new TableName("My Schema", "we\"ird Table"), List.of("Größe", "表", "a\"b"), null)),
        List.of("Ünïcode \"S\""), EnumSet.of(PublishOperation.DELETE), false);

    assertThat(PublicationSql.create(p, PG17)).isEqualTo(
        "CREATE PUBLICATION \"Acme \"\"Orders\"\"\" FOR TABLE \"My Schema\".\"we\"\"ird Table\" "
            + "(\"Größe\", \"表\", \"a\"\"b\"), TABLES IN SCHEMA \"Ünïcode \"\"S\"\"\" WITH (publish = 'delete')");
    assertThat(PublicationSql.drop("Acme \"Orders\"")).isEqualTo("DROP PUBLICATION IF EXISTS \"Acme \"\"Orders\"\"\"");
    assertThat(PublicationSql.replicaIdentityFull(new TableName("My Schema", "we\"ird Table")))
        .isEqualTo("ALTER TABLE \"My Schema\".\"we\"\"ird Table\" REPLICA IDENTITY FULL");
  }

  @Test
  void publishesOperationsInCanonicalOrderWhateverTheInputOrder() {
    DesiredPublication p = publication(List.of(ORDERS), List.of(),
        Set.of(PublishOperation.TRUNCATE, PublishOperation.INSERT, PublishOperation.DELETE));

    assertThat(PublicationSql.setPublish(p, PG17))
        .isEqualTo("ALTER PUBLICATION \"acme_orders\" SET (publish = 'insert, delete, truncate')");
  }

  @Test
  void publishingNothingIsAnEmptyList() {
    DesiredPublication p = publication(List.of(ORDERS), List.of(), Set.of());

    assertThat(PublicationSql.setPublish(p, PG17)).isEqualTo("ALTER PUBLICATION \"acme_orders\" SET (publish = '')");
  }

  @Test
  void setsTablesAndSchemasTogether() {
    DesiredPublication p = publication(List.of(ORDERS.withRowFilter("id > 10")), List.of("billing"), null);

    assertThat(PublicationSql.setObjects(p, PG17)).isEqualTo(
        "ALTER PUBLICATION \"acme_orders\" SET TABLE \"public\".\"orders\" WHERE (id > 10), TABLES IN SCHEMA \"billing\"");
  }

  @Test
  void setsSchemasOnly() {
    DesiredPublication p = publication(List.of(), List.of("billing", "sales"), null);

    assertThat(PublicationSql.setObjects(p, PG17))
        .isEqualTo("ALTER PUBLICATION \"acme_orders\" SET TABLES IN SCHEMA \"billing\", \"sales\"");
  }

  @Test
  void commentsWithALiteral() {
    assertThat(PublicationSql.comment("acme_orders", "it's managed"))
        .isEqualTo("COMMENT ON PUBLICATION \"acme_orders\" IS 'it''s managed'");
  }

  @Test
  void placesTheRowFilterAsWritten() {
    DesiredPublication p = publication(List.of(ORDERS.withRowFilter("data ? 'vip' AND note <> '{fn x}'")), List.of(), null);

    assertThat(PublicationSql.setObjects(p, PG17)).isEqualTo(
        "ALTER PUBLICATION \"acme_orders\" SET TABLE \"public\".\"orders\" WHERE (data ? 'vip' AND note <> '{fn x}')");
  }

  @Test
  void refusesARowFilterThatLeavesItsParentheses() {
    DesiredPublication p = publication(List.of(ORDERS.withRowFilter("true); DROP TABLE orders; --")), List.of(), null);

    assertThatThrownBy(() -> PublicationSql.create(p, PG17))
        .isInstanceOfSatisfying(PublicationException.class, e -> {
          assertThat(e.reason()).isEqualTo(PostgresReasons.INVALID_ROW_FILTER);
          assertThat(e).hasMessageStartingWith("row filter of public.orders closes a parenthesis it did not open");
        });
  }

  @Test
  void refusesIdentifiersPostgresCannotHoldAsInvalidSpec() {
    DesiredPublication nul = publication(List.of(PublicationTable.of("public", "ord\0ers")), List.of(), null);
    DesiredPublication longName = new DesiredPublication("p".repeat(64), List.of(ORDERS), List.of(), null, false);

    assertThatThrownBy(() -> PublicationSql.create(nul, PG17)).isInstanceOfSatisfying(PublicationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reasons.INVALID_SPEC));
    assertThatThrownBy(() -> PublicationSql.create(longName, PG17)).isInstanceOfSatisfying(PublicationException.class,
        e -> assertThat(e.reason()).isEqualTo(Reasons.INVALID_SPEC));
    assertThatThrownBy(() -> PublicationSql.drop("p".repeat(64))).isInstanceOf(PublicationException.class);
  }

  // Feature gates: every builder that names tables refuses what the server's version cannot do.

  @Test
  void columnListsNeedPostgres15() {
    assertGate(publication(List.of(ORDERS.withColumns("id")), List.of(), null), PG14,
        "column lists need PostgreSQL 15 or newer; the server is 14.11");
  }

  @Test
  void rowFiltersNeedPostgres15() {
    assertGate(publication(List.of(ORDERS.withRowFilter("id > 1")), List.of(), null), PG14,
        "row filters need PostgreSQL 15 or newer; the server is 14.11");
  }

  @Test
  void tablesInSchemaNeedPostgres15() {
    assertGate(publication(List.of(), List.of("billing"), null), PG14,
        "TABLES IN SCHEMA need PostgreSQL 15 or newer; the server is 14.11");
  }

  @Test
  void everyMissingFeatureIsNamedAtOnce() {
    assertGate(publication(List.of(ORDERS.withColumns("id").withRowFilter("id > 1")), List.of("billing"), null), PG14,
        "column lists, row filters and TABLES IN SCHEMA need PostgreSQL 15 or newer; the server is 14.11");
    assertGate(publication(List.of(ORDERS.withColumns("id").withRowFilter("id > 1")), List.of(), null), PG14,
        "column lists and row filters need PostgreSQL 15 or newer; the server is 14.11");
  }

  @Test
  void truncateNeedsPostgres11AndPublicationsNeed10() {
    assertGate(publication(List.of(ORDERS), List.of(), EnumSet.of(PublishOperation.TRUNCATE)), PostgresVersion.of(100023),
        "publishing truncate needs PostgreSQL 11 or newer; the server is 10.23");
    assertGate(publication(List.of(ORDERS), List.of(), EnumSet.of(PublishOperation.INSERT)), PostgresVersion.of(90624),
        "publications need PostgreSQL 10 or newer; the server is 9.6.24");
  }

  @Test
  void plainTablesWorkOnOlderServers() {
    DesiredPublication p = publication(List.of(ORDERS), List.of(), EnumSet.of(PublishOperation.INSERT, PublishOperation.UPDATE));

    assertThat(PublicationSql.create(p, PG14))
        .isEqualTo("CREATE PUBLICATION \"acme_orders\" FOR TABLE \"public\".\"orders\" WITH (publish = 'insert, update')");
    assertThat(PublicationSql.create(p, PostgresVersion.of(100023))).startsWith("CREATE PUBLICATION");
  }

  @Test
  void theGateUsesTheServersOwnVersionText() {
    assertGate(publication(List.of(ORDERS.withColumns("id")), List.of(), null),
        new PostgresVersion(140011, "14.11 (Debian 14.11-1.pgdg120+2)"),
        "column lists need PostgreSQL 15 or newer; the server is 14.11");
  }

  private static void assertGate(DesiredPublication p, PostgresVersion version, String message) {
    List<Function<DesiredPublication, String>> builders = List.of(
        d -> PublicationSql.create(d, version),
        d -> PublicationSql.setObjects(d, version),
        d -> PublicationSql.setPublish(d, version));
    for (Function<DesiredPublication, String> builder : builders) {
      assertThatThrownBy(() -> builder.apply(p)).isInstanceOfSatisfying(PublicationException.class, e -> {
        assertThat(e.reason()).isEqualTo(PostgresReasons.POSTGRES_VERSION_TOO_OLD);
        assertThat(e).hasMessage(message);
      });
    }
  }
}
