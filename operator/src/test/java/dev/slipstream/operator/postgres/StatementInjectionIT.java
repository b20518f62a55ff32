package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text from a resource that tries to end the operator's statement and start its own, against a real
 * PostgreSQL 17: every attempt is refused or harmless, and the table it aims at is still there.
 */
class StatementInjectionIT {

  private static final String DROP_VICTIM = "; DROP TABLE victim; --";

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @BeforeEach
  void victim() {
    postgres.execute("CREATE TABLE IF NOT EXISTS victim (id int PRIMARY KEY)",
        "CREATE TABLE IF NOT EXISTS orders (id int PRIMARY KEY, status text)");
  }

  @AfterEach
  void victimSurvived() throws SQLException {
    assertThat(tableExists("victim")).as("table victim after the attempt").isTrue();
  }

  private static TenantDatabase open() {
    return TenantDatabase.open(TestDatabases.superuser(postgres));
  }

  private static DesiredPublication publication(String name, PublicationTable table) {
    return new DesiredPublication(name, List.of(table), List.of(), EnumSet.allOf(PublishOperation.class), false);
  }

  @ParameterizedTest
  @ValueSource(strings = {"orders\"" + DROP_VICTIM, "orders'" + DROP_VICTIM, "orders" + DROP_VICTIM})
  void aTableNameIsOnlyEverAName(String table) {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(publication("inj_table", PublicationTable.of("public", table))))
          .isInstanceOfSatisfying(PublicationException.class,
              e -> assertThat(e.reason()).isEqualTo(PostgresReasons.TABLE_NOT_FOUND));
    }
  }

  @Test
  void aSchemaNameIsOnlyEverAName() {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(new DesiredPublication("inj_schema", List.of(), List.of("public\"" + DROP_VICTIM),
          EnumSet.allOf(PublishOperation.class), false)))
          .isInstanceOfSatisfying(PublicationException.class,
              e -> assertThat(e.reason()).isEqualTo(PostgresReasons.SCHEMA_NOT_FOUND));
    }
  }

  @Test
  void aColumnNameIsOnlyEverAName() {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(publication("inj_column",
          PublicationTable.of("public", "orders").withColumns("id\")" + DROP_VICTIM))))
          .isInstanceOfSatisfying(PublicationException.class,
              e -> assertThat(e.reason()).isEqualTo(PostgresReasons.COLUMN_NOT_FOUND));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"true)" + DROP_VICTIM, "true); DROP TABLE victim; SELECT (1", "status = 'x'); DROP TABLE victim; --'",
      "true) OR (true", "id > 0) WITH (publish = 'insert'", "$$x$$ = 'x'); DROP TABLE victim; --"})
  void aRowFilterCannotEndItsParentheses(String filter) {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.apply(publication("inj_filter",
          PublicationTable.of("public", "orders").withRowFilter(filter))))
          .isInstanceOfSatisfying(PublicationException.class,
              e -> assertThat(e.reason()).isEqualTo(PostgresReasons.INVALID_ROW_FILTER));
    }
  }

  @Test
  void aPublicationNameIsOnlyEverAName() throws SQLException {
    String name = "pub\"" + DROP_VICTIM;
    try (TenantDatabase db = open()) {
      // A strange name, but only a name: the publication exists under exactly that name.
      db.apply(publication(name.substring(0, 20), PublicationTable.of("public", "orders")));
      assertThat(db.publication(name.substring(0, 20))).isPresent();
      assertThat(db.dropPublication(name.substring(0, 20))).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"slot'); DROP TABLE victim; --", "slot\"" + DROP_VICTIM})
  void aSlotNameIsABindParameter(String slot) {
    try (TenantDatabase db = open()) {
      // PostgreSQL refuses the name itself (slot names are [a-z0-9_]); nothing else runs.
      assertThatThrownBy(() -> db.createSlot(slot)).isInstanceOf(DatabaseException.class)
          .hasMessageContaining("replication slot name");
      assertThat(db.dropSlot(slot)).isFalse();
    }
  }

  @Test
  void textWithSeveralStatementsIsNeverSent() throws SQLException {
    try (Connection connection = postgres.connect()) {
      assertThatThrownBy(() -> OneStatement.execute(connection, "COMMENT ON TABLE orders IS 'x'" + DROP_VICTIM))
          .isInstanceOf(SQLException.class).hasMessageContaining("statements where one was built");
      assertThatThrownBy(() -> OneStatement.execute(connection, "SELECT 1; SELECT 2"))
          .isInstanceOf(SQLException.class);
      // One statement, with a semicolon inside a literal and a quoted name: runs.
      OneStatement.execute(connection, "COMMENT ON TABLE \"orders\" IS 'a; DROP TABLE victim; --'");
    }
  }

  private static boolean tableExists(String table) throws SQLException {
    try (Connection connection = postgres.connect();
        PreparedStatement query = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      query.setString(1, "public." + table);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }
}
