package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseFactsTest {

  private static final PostgresVersion PG17 = new PostgresVersion(170005, "17.5");

  /** A fit database: logical, 3 of 10 slots and 2 of 10 senders used, a REPLICATION role with CREATE. */
  private static DatabaseFacts fit() {
    return new DatabaseFacts(PG17, "app", "logical", 10, 3, 10, 2, "app", true, false, true, "acme_slot", null);
  }

  private static DatabaseFacts with(String walLevel, int slotsUsed, int sendersUsed, Boolean slotActive,
      boolean replication, boolean superuser, boolean canCreate) {
    return new DatabaseFacts(PG17, "app", walLevel, 4, slotsUsed, 3, sendersUsed, "app", replication, superuser,
        canCreate, "acme_slot", slotActive);
  }

  private static List<String> reasons(DatabaseFacts facts) {
    return facts.problems().stream().map(DatabaseProblem::reason).toList();
  }

  @Test
  void aFitDatabaseHasNoProblems() {
    assertThat(fit().problems()).isEmpty();
    assertThat(fit().ready()).isTrue();
  }

  @Test
  void walLevelOtherThanLogical() {
    assertThat(with("replica", 0, 0, null, true, false, true).problems()).containsExactly(new DatabaseProblem(
        PostgresReasons.WAL_LEVEL_NOT_LOGICAL,
        "wal_level is 'replica'; logical replication needs wal_level = logical (set it in postgresql.conf and restart)"));
  }

  @Test
  void noFreeSlotMattersOnlyWhileTheSlotDoesNotExist() {
    assertThat(with("logical", 4, 0, null, true, false, true).problems()).containsExactly(new DatabaseProblem(
        PostgresReasons.NO_FREE_REPLICATION_SLOTS,
        "no free replication slot for slot acme_slot: 4 of max_replication_slots = 4 are in use; drop an unused slot "
            + "(see pg_replication_slots) or raise max_replication_slots (needs a restart)"));
    assertThat(with("logical", 4, 0, false, true, false, true).problems()).isEmpty();
  }

  @Test
  void noFreeSenderMattersOnlyWhileTheSlotIsNotStreamed() {
    assertThat(with("logical", 1, 3, false, true, false, true).problems()).containsExactly(new DatabaseProblem(
        PostgresReasons.NO_FREE_WAL_SENDERS,
        "no free WAL sender for the runtime: 3 of max_wal_senders = 3 are in use; stop an unused replication "
            + "connection (see pg_stat_replication) or raise max_wal_senders (needs a restart)"));
    assertThat(with("logical", 1, 3, true, true, false, true).problems()).isEmpty();
  }

  @Test
  void theRoleNeedsReplicationOrSuperuser() {
    assertThat(with("logical", 0, 0, null, false, false, true).problems()).containsExactly(new DatabaseProblem(
        PostgresReasons.ROLE_LACKS_REPLICATION,
        "role app has neither REPLICATION nor SUPERUSER, and streaming from a replication slot needs one of them: "
            + "ALTER ROLE \"app\" WITH REPLICATION"));
    assertThat(with("logical", 0, 0, null, false, true, true).problems()).isEmpty();
  }

  @Test
  void theRoleNeedsCreateOnTheDatabase() {
    assertThat(with("logical", 0, 0, null, true, false, false).problems()).containsExactly(new DatabaseProblem(
        PostgresReasons.ROLE_CANNOT_CREATE_PUBLICATIONS,
        "role app may not CREATE in database app, which CREATE PUBLICATION needs: GRANT CREATE ON DATABASE \"app\" TO \"app\""));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    DatabaseFacts facts = new DatabaseFacts(new PostgresVersion(90624, "9.6.24"), "app", "minimal", 0, 0, 0, 0,
        "app", false, false, false, null, null);

    assertThat(reasons(facts)).containsExactly(PostgresReasons.POSTGRES_VERSION_TOO_OLD,
        PostgresReasons.WAL_LEVEL_NOT_LOGICAL, PostgresReasons.NO_FREE_REPLICATION_SLOTS,
        PostgresReasons.NO_FREE_WAL_SENDERS, PostgresReasons.ROLE_LACKS_REPLICATION,
        PostgresReasons.ROLE_CANNOT_CREATE_PUBLICATIONS);
    assertThat(facts.problems().get(0).message())
        .isEqualTo("logical replication needs PostgreSQL 10 or newer; the server is 9.6.24");
    assertThat(facts.problems().get(2).message()).startsWith("no free replication slot: 0 of max_replication_slots = 0");
  }
}
