package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.postgres.TestPostgres;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TenantDatabase#check(String)} against real servers: a fit one, and unfit ones of each kind. */
class DatabaseFactsIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final TestPostgres replicaOnly = TestPostgres.logical().with("wal_level", "replica");

  /** Two slots and one WAL sender, to run out of both. */
  @RegisterExtension
  static final TestPostgres cramped = TestPostgres.logical()
      .with("max_replication_slots", "2").with("max_wal_senders", "1");

  private static List<String> reasons(DatabaseFacts facts) {
    return facts.problems().stream().map(DatabaseProblem::reason).toList();
  }

  @Test
  void aFitServerReportsItsFacts() {
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(postgres))) {
      DatabaseFacts facts = db.check("tenant_slot");

      assertThat(facts.version().number()).isBetween(170000, 179999);
      assertThat(facts.version().display()).startsWith("17.");
      assertThat(db.version()).isEqualTo(facts.version());
      assertThat(facts.walLevel()).isEqualTo("logical");
      assertThat(facts.maxReplicationSlots()).isEqualTo(20);
      assertThat(facts.maxWalSenders()).isEqualTo(20);
      assertThat(facts.replicationSlotsUsed()).isZero();
      assertThat(facts.walSendersUsed()).isZero();
      assertThat(facts.role()).isEqualTo("postgres");
      assertThat(facts.roleSuperuser()).isTrue();
      assertThat(facts.roleCanReplicate()).isTrue();
      assertThat(facts.database()).isEqualTo("postgres");
      assertThat(facts.slotExists()).isFalse();
      assertThat(facts.problems()).isEmpty();
    }
  }

  @Test
  void walLevelReplicaIsReportedAndStopsSlotCreation() {
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(replicaOnly))) {
      assertThat(db.check("tenant_slot").problems()).containsExactly(new DatabaseProblem(
          PostgresReasons.WAL_LEVEL_NOT_LOGICAL,
          "wal_level is 'replica'; logical replication needs wal_level = logical (set it in postgresql.conf and restart)"));

      assertThatThrownBy(() -> db.createSlot("tenant_slot")).isInstanceOfSatisfying(DatabaseException.class, e -> {
        assertThat(e.reason()).isEqualTo(PostgresReasons.WAL_LEVEL_NOT_LOGICAL);
        assertThat(e).hasMessageContaining("creating replication slot tenant_slot: logical decoding requires");
      });
    }
  }

  @Test
  void aRoleWithoutReplicationOrCreateIsReported() {
    postgres.execute("CREATE ROLE plain_app LOGIN");
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.as(postgres, "plain_app", "unused"))) {
      DatabaseFacts facts = db.check("tenant_slot");

      assertThat(facts.roleCanReplicate()).isFalse();
      assertThat(facts.problems()).containsExactly(
          new DatabaseProblem(PostgresReasons.ROLE_LACKS_REPLICATION, "role plain_app has neither REPLICATION nor "
              + "SUPERUSER, and streaming from a replication slot needs one of them: ALTER ROLE \"plain_app\" WITH REPLICATION"),
          new DatabaseProblem(PostgresReasons.ROLE_CANNOT_CREATE_PUBLICATIONS, "role plain_app may not CREATE in "
              + "database postgres, which CREATE PUBLICATION needs: GRANT CREATE ON DATABASE \"postgres\" TO \"plain_app\""));

      assertThatThrownBy(() -> db.createSlot("plain_slot")).isInstanceOfSatisfying(DatabaseException.class,
          e -> assertThat(e.reason()).isEqualTo(PostgresReasons.ROLE_LACKS_REPLICATION));
    }
    postgres.execute("ALTER ROLE plain_app WITH REPLICATION", "GRANT CREATE ON DATABASE postgres TO plain_app");
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.as(postgres, "plain_app", "unused"))) {
      assertThat(db.check("tenant_slot").problems()).isEmpty();
    }
  }

  @Test
  void fullSlotsAndSendersAreReportedUnlessTheTenantAlreadyHoldsThem() throws Exception {
    cramped.execute("SELECT pg_create_physical_replication_slot('filler')", "CREATE PUBLICATION everything FOR ALL TABLES");
    try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(cramped))) {
      db.createSlot("tenant_slot");

      DatabaseFacts forAnother = db.check("another_slot");
      assertThat(forAnother.replicationSlotsUsed()).isEqualTo(2);
      assertThat(forAnother.problems()).containsExactly(new DatabaseProblem(PostgresReasons.NO_FREE_REPLICATION_SLOTS,
          "no free replication slot for slot another_slot: 2 of max_replication_slots = 2 are in use; drop an unused "
              + "slot (see pg_replication_slots) or raise max_replication_slots (needs a restart)"));
      assertThat(db.check("tenant_slot").problems()).isEmpty();
      assertThatThrownBy(() -> db.createSlot("another_slot")).isInstanceOfSatisfying(DatabaseException.class, e -> {
        assertThat(e.reason()).isEqualTo(PostgresReasons.NO_FREE_REPLICATION_SLOTS);
        assertThat(e).hasMessageContaining("all replication slots are in use");
      });

      try (TestDatabases.HeldSlot held = TestDatabases.stream(cramped, "tenant_slot", "everything")) {
        await().atMost(Duration.ofSeconds(10)).until(() -> db.check("tenant_slot").walSendersUsed() == 1);
        assertThat(held.connection().isClosed()).isFalse();

        DatabaseFacts streamed = db.check("tenant_slot");
        assertThat(streamed.slotActive()).isTrue();
        assertThat(streamed.problems()).as("the tenant's own stream holds the only sender").isEmpty();
        assertThat(reasons(db.check("another_slot")))
            .containsExactly(PostgresReasons.NO_FREE_REPLICATION_SLOTS, PostgresReasons.NO_FREE_WAL_SENDERS);
        assertThat(db.check("another_slot").problems().get(1).message()).isEqualTo("no free WAL sender for the runtime: "
            + "1 of max_wal_senders = 1 are in use; stop an unused replication connection (see pg_stat_replication) "
            + "or raise max_wal_senders (needs a restart)");
      }
    }
  }
}
