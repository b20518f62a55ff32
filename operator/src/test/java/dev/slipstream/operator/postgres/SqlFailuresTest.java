package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.postgresql.util.ServerErrorMessage;

class SqlFailuresTest {

  private static final String PASSWORD = "s3cret-Pa55word";
  private static final ConnectionSettings SETTINGS =
      new ConnectionSettings("db.acme.svc", 5432, "app", "app_user", PASSWORD, "prefer", null);

  private static PSQLException server(String sqlState, String message, int position) {
    String fields = "SERROR\0C" + sqlState + "\0M" + message + "\0" + (position > 0 ? "P" + position + "\0" : "") + "\0";
    return new PSQLException(new ServerErrorMessage(fields));
  }

  @Test
  void wrongPasswordIsAuthenticationFailed() {
    DatabaseException e = SqlFailures.connect(
        server("28P01", "password authentication failed for user \"app_user\"", 0), SETTINGS);

    assertThat(e.reason()).isEqualTo(PostgresReasons.AUTHENTICATION_FAILED);
    assertThat(e.sqlState()).isEqualTo("28P01");
    assertThat(e).hasMessageStartingWith("PostgreSQL at db.acme.svc:5432/app rejected role app_user: "
        + "password authentication failed for user \"app_user\"");
  }

  @Test
  void noPgHbaEntryIsAuthenticationFailedToo() {
    assertThat(SqlFailures.connect(server("28000", "no pg_hba.conf entry for host", 0), SETTINGS).reason())
        .isEqualTo(PostgresReasons.AUTHENTICATION_FAILED);
  }

  @Test
  void missingDatabase() {
    DatabaseException e = SqlFailures.connect(server("3D000", "database \"app\" does not exist", 0), SETTINGS);

    assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_NOT_FOUND);
    assertThat(e).hasMessageStartingWith("database app does not exist on db.acme.svc:5432: database \"app\" does not exist");
  }

  @Test
  void refusedUnknownAndSilentHostsAreUnreachable() {
    SQLException refused = new PSQLException("Connection to db.acme.svc:5432 refused.",
        PSQLState.CONNECTION_UNABLE_TO_CONNECT, new ConnectException("Connection refused"));
    SQLException unknown = new PSQLException("The connection attempt failed.",
        PSQLState.CONNECTION_UNABLE_TO_CONNECT, new UnknownHostException("db.acme.svc"));
    SQLException silent = new PSQLException("Connection attempt timed out.", PSQLState.CONNECTION_UNABLE_TO_CONNECT);

    assertThat(SqlFailures.connect(refused, SETTINGS)).hasMessageStartingWith(
        "cannot reach PostgreSQL at db.acme.svc:5432/app: connection refused or no route to host (Connection refused)");
    assertThat(SqlFailures.connect(unknown, SETTINGS))
        .hasMessageStartingWith("cannot reach PostgreSQL at db.acme.svc:5432/app: unknown host db.acme.svc");
    assertThat(SqlFailures.connect(silent, SETTINGS))
        .hasMessageStartingWith("cannot reach PostgreSQL at db.acme.svc:5432/app: no answer within 10 s (Connection attempt timed out.)");
    for (SQLException e : List.of(refused, unknown, silent)) {
      assertThat(SqlFailures.connect(e, SETTINGS).reason()).isEqualTo(PostgresReasons.DATABASE_UNREACHABLE);
    }
  }

  @Test
  void anythingElseIsDatabaseErrorWithPostgresMessage() {
    DatabaseException e = SqlFailures.connect(server("53300", "sorry, too many clients already", 0), SETTINGS);

    assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_ERROR);
    assertThat(e).hasMessageStartingWith("PostgreSQL at db.acme.svc:5432/app: sorry, too many clients already");
  }

  @Test
  void thePasswordNeverLeavesEvenWhenTheServerEchoesIt() {
    DatabaseException e = SqlFailures.connect(server("XX000", "odd error mentioning " + PASSWORD, 0), SETTINGS);

    assertThat(e.getMessage()).doesNotContain(PASSWORD).contains("odd error mentioning ****");
    assertThat(e.getCause()).as("a cause that carries the password is not kept").isNull();
    assertThat(e.toString()).doesNotContain(PASSWORD);
  }

  @Test
  void slotCreationFailuresKeepTheirMeaning() {
    assertThat(SqlFailures.createSlot(server("42710", "replication slot \"s\" already exists", 0), SETTINGS, "s").reason())
        .isEqualTo(PostgresReasons.SLOT_ALREADY_EXISTS);
    assertThat(SqlFailures.createSlot(server("53400", "all replication slots are in use", 0), SETTINGS, "s").reason())
        .isEqualTo(PostgresReasons.NO_FREE_REPLICATION_SLOTS);
    assertThat(SqlFailures.createSlot(server("55000", "logical decoding requires \"wal_level\" >= \"logical\"", 0),
        SETTINGS, "s").reason()).isEqualTo(PostgresReasons.WAL_LEVEL_NOT_LOGICAL);
    assertThat(SqlFailures.createSlot(server("42501", "permission denied to use replication slots", 0), SETTINGS, "s")
        .reason()).isEqualTo(PostgresReasons.ROLE_LACKS_REPLICATION);
    assertThat(SqlFailures.createSlot(server("57014", "canceling statement due to statement timeout", 0), SETTINGS, "s"))
        .hasMessageContaining("did not finish within 10 s").hasMessageContaining("idle-in-transaction");
  }

  @Test
  void anErrorPositionInsideARowFilterBlamesThatTable() {
    PublicationTable items = PublicationTable.of("public", "items").withRowFilter("qty > 0");
    PublicationTable orders = PublicationTable.of("public", "Orders 表").withRowFilter("nonexistent > 1");
    DesiredPublication desired = new DesiredPublication("p", List.of(items, orders), List.of(), null, false);
    String sql = PublicationSql.create(desired, PostgresVersion.of(170005));
    // PostgreSQL counts characters from 1; the table name holds a character outside ASCII.
    int position = sql.codePointCount(0, sql.indexOf("nonexistent")) + 1;

    PublicationException e = SqlFailures.publication(server("42703", "column \"nonexistent\" does not exist", position),
        SETTINGS, sql, desired);

    assertThat(e.reason()).isEqualTo(PostgresReasons.INVALID_ROW_FILTER);
    assertThat(e).hasMessageStartingWith("row filter of public.Orders 表 is invalid: column \"nonexistent\" does not exist");
  }

  @Test
  void publicationFailuresOutsideFiltersGoBySqlState() {
    DesiredPublication desired = new DesiredPublication("p", List.of(PublicationTable.of("public", "t")), List.of(), null, false);
    String sql = PublicationSql.create(desired, PostgresVersion.of(170005));

    assertThat(SqlFailures.publication(server("42P01", "relation \"public.t\" does not exist", 0), SETTINGS, sql, desired))
        .hasMessageStartingWith("publication p: relation \"public.t\" does not exist")
        .extracting(DatabaseException::reason).isEqualTo(PostgresReasons.TABLE_NOT_FOUND);
    assertThat(SqlFailures.publication(server("3F000", "schema \"x\" does not exist", 0), SETTINGS, sql, desired).reason())
        .isEqualTo(PostgresReasons.SCHEMA_NOT_FOUND);
    assertThat(SqlFailures.publication(server("42703", "column \"c\" of relation \"t\" does not exist", 0), SETTINGS, sql,
        desired).reason()).isEqualTo(PostgresReasons.COLUMN_NOT_FOUND);
    assertThat(SqlFailures.publication(server("42501", "must be owner of table t", 0), SETTINGS, sql, desired).reason())
        .isEqualTo(PostgresReasons.INSUFFICIENT_PRIVILEGE);
    assertThat(SqlFailures.publication(server("55P03", "canceling statement due to lock timeout", 0), SETTINGS, sql, desired))
        .hasMessageEndingWith("longer than lock_timeout = 3000 ms; the operator retries later).")
        .extracting(DatabaseException::reason).isEqualTo(PostgresReasons.LOCK_TIMEOUT);
    assertThat(SqlFailures.publication(server("0A000", "something unsupported", 0), SETTINGS, sql, desired).reason())
        .isEqualTo(PostgresReasons.PUBLICATION_ERROR);
  }

  @Test
  void postgresMessageAddsDetailAndHint() {
    PSQLException e = new PSQLException(new ServerErrorMessage(
        "SERROR\0C55000\0Mcannot update table \"t\"\0DColumn list does not cover the replica identity.\0Hfix it\0\0"));

    assertThat(SqlFailures.postgresMessage(e))
        .isEqualTo("cannot update table \"t\" (Column list does not cover the replica identity.) Hint: fix it");
  }

  @Test
  void whatAUserCausedSaysWhatToChange() {
    DesiredPublication desired = new DesiredPublication("p", List.of(PublicationTable.of("public", "t")), List.of(), null, false);
    String sql = PublicationSql.create(desired, PostgresVersion.of(170005));

    assertThat(SqlFailures.publication(server("42P01", "relation \"public.t\" does not exist", 0), SETTINGS, sql, desired))
        .hasMessage("publication p: relation \"public.t\" does not exist. Create the table, or correct or remove it in "
            + "spec.tables (schema and name are case-sensitive).");
    assertThat(SqlFailures.connect(server("28P01", "password authentication failed for user \"app_user\"", 0), SETTINGS))
        .hasMessageEndingWith("Check the username and password in the tenant's credentials Secret "
            + "(spec.database.credentialsSecretRef).");
    for (String state : List.of("3F000", "42703", "42501")) {
      assertThat(SqlFailures.publication(server(state, "x", 0), SETTINGS, sql, desired).getMessage())
          .as(state).contains("spec.").doesNotContain("Exception");
    }
  }
}
