package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CatalogSqlTest {

  private static final PostgresVersion PG17 = PostgresVersion.of(170005);
  private static final PostgresVersion PG14 = PostgresVersion.of(140011);
  private static final PostgresVersion PG10 = PostgresVersion.of(100023);

  @Test
  void factsTakeTheSlotNameAsTheOnlyParameter() {
    assertThat(CatalogSql.FACTS).containsOnlyOnce("?").contains("s.slot_name = ?");
  }

  @Test
  void sessionSettingsAreOneStatementWithTheTimeoutsAsParameters() {
    assertThat(CatalogSql.SESSION_SETTINGS).doesNotContain(";").containsSubsequence(
        "set_config('statement_timeout', ?", "set_config('lock_timeout', ?", "'standard_conforming_strings', 'on'");
  }

  @Test
  void olderServersReadNullsWhereColumnsDoNotExistYet() {
    assertThat(CatalogSql.publication(PG17)).contains("p.pubtruncate AS pubtruncate");
    assertThat(CatalogSql.publication(PG10)).contains("false AS pubtruncate");

    assertThat(CatalogSql.members(PG17)).contains("pr.prattrs").contains("pg_get_expr(pr.prqual, pr.prrelid)");
    assertThat(CatalogSql.members(PG14)).doesNotContain("prattrs").doesNotContain("prqual")
        .contains("NULL::text[] AS columns").contains("NULL::text AS row_filter");

    assertThat(CatalogSql.schemas(PG17)).contains("pg_publication_namespace");
    assertThat(CatalogSql.schemas(PG14)).isNull();

    assertThat(CatalogSql.publishedTables(PG17)).contains("t.attnames::text[] AS columns, t.rowfilter AS row_filter");
    assertThat(CatalogSql.publishedTables(PG14)).contains("NULL::text[] AS columns, NULL::text AS row_filter");

    assertThat(CatalogSql.identityCoverage(PG17)).contains("pg_publication_rel").contains(":varattno");
    assertThat(CatalogSql.identityCoverage(PG14)).doesNotContain("pg_publication_rel").doesNotContain("prqual");
  }

  @Test
  void everyPublicationQueryTakesTheNameAsItsOnlyParameter() {
    for (PostgresVersion version : new PostgresVersion[] {PG17, PG14, PG10}) {
      assertThat(CatalogSql.publication(version)).containsOnlyOnce("?");
      assertThat(CatalogSql.members(version)).containsOnlyOnce("?");
      assertThat(CatalogSql.publishedTables(version)).containsOnlyOnce("?");
      assertThat(CatalogSql.identityCoverage(version)).containsOnlyOnce("?");
    }
  }
}
