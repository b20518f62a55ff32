package dev.slipstream.operator.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipstream.testing.postgres.TestPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Slot create / read / drop against a real server, including a slot a replication stream holds. */
class SlotIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @BeforeAll
  static void schema() {
    postgres.execute("CREATE TABLE events (id bigserial PRIMARY KEY, body text)",
        "CREATE PUBLICATION events_pub FOR TABLE events");
  }

  private static TenantDatabase open() {
    return TenantDatabase.open(TestDatabases.superuser(postgres));
  }

  @Test
  void createsReadsAndDropsASlot() {
    try (TenantDatabase db = open()) {
      SlotState created = db.createSlot("acme_slot");

      assertThat(created.name()).isEqualTo("acme_slot");
      assertThat(created.usesPgoutput()).isTrue();
      assertThat(created.database()).isEqualTo("postgres");
      assertThat(created.active()).isFalse();
      assertThat(created.activePid()).isNull();
      assertThat(created.walStatus()).isEqualTo("reserved");
      assertThat(created.lost()).isFalse();
      assertThat(created.restartLsn()).matches("[0-9A-F]+/[0-9A-F]+");
      assertThat(created.confirmedFlushLsn()).matches("[0-9A-F]+/[0-9A-F]+");
      assertThat(created.lagBytes()).isNotNull().isGreaterThanOrEqualTo(0L);
      // Lag moves with any WAL the server writes meanwhile (a checkpoint, say); the rest must not.
      assertThat(db.slot("acme_slot")).get().usingRecursiveComparison().ignoringFields("lagBytes").isEqualTo(created);

      assertThatThrownBy(() -> db.createSlot("acme_slot")).isInstanceOfSatisfying(DatabaseException.class, e -> {
        assertThat(e.reason()).isEqualTo(PostgresReasons.SLOT_ALREADY_EXISTS);
        assertThat(e).hasMessageStartingWith("creating replication slot acme_slot: replication slot \"acme_slot\" already exists");
      });

      assertThat(db.dropSlot("acme_slot")).isTrue();
      assertThat(db.slot("acme_slot")).isEmpty();
      assertThat(db.dropSlot("acme_slot")).as("dropping what is gone is not an error").isFalse();
    }
  }

  @Test
  void lagGrowsWithUnconsumedWal() {
    try (TenantDatabase db = open()) {
      long before = db.createSlot("lagging_slot").lagBytes();
      postgres.execute("INSERT INTO events (body) SELECT repeat('x', 100) FROM generate_series(1, 1000)");

      assertThat(db.slot("lagging_slot").orElseThrow().lagBytes()).isGreaterThan(before + 100_000);
      db.dropSlot("lagging_slot");
    }
  }

  @Test
  void dropsASlotThatIsBeingStreamed() throws Exception {
    try (TenantDatabase db = open()) {
      db.createSlot("busy_slot");
      try (TestDatabases.HeldSlot held = TestDatabases.stream(postgres, "busy_slot", "events_pub")) {
        await().atMost(Duration.ofSeconds(10)).until(() -> db.slot("busy_slot").orElseThrow().active());
        assertThat(db.slot("busy_slot").orElseThrow().activePid()).isNotNull();

        assertThat(db.dropSlot("busy_slot")).isTrue();

        assertThat(db.slot("busy_slot")).isEmpty();
        assertThatThrownBy(() -> {
          // The stream's backend was terminated: reading from it fails.
          for (int i = 0; i < 50; i++) {
            held.stream().forceUpdateStatus();
            held.stream().readPending();
            Thread.sleep(100);
          }
        }).isInstanceOf(java.sql.SQLException.class);
      }
    }
  }

  @Test
  void anInvalidSlotNameCarriesPostgresMessage() {
    try (TenantDatabase db = open()) {
      assertThatThrownBy(() -> db.createSlot("Bad-Name")).isInstanceOfSatisfying(DatabaseException.class, e -> {
        assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_ERROR);
        assertThat(e).hasMessageContaining("replication slot name \"Bad-Name\" contains invalid character");
      });
    }
  }

  /**
   * Creating a logical slot waits for every transaction that has written; statement_timeout makes
   * the operator give up with an explanation instead of hanging behind a forgotten session.
   */
  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void slotCreationBehindAnOpenTransactionGivesUpWithAnExplanation() throws Exception {
    ConnectionSettings.Timeouts quick = new ConnectionSettings.Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(1));
    try (Connection open = postgres.connect(); Statement statement = open.createStatement()) {
      open.setAutoCommit(false);
      statement.execute("INSERT INTO events (body) VALUES ('left open')");
      try (TenantDatabase db = TenantDatabase.open(TestDatabases.superuser(postgres).withTimeouts(quick))) {
        assertThatThrownBy(() -> db.createSlot("blocked_slot")).isInstanceOfSatisfying(DatabaseException.class, e -> {
          assertThat(e.reason()).isEqualTo(PostgresReasons.DATABASE_ERROR);
          assertThat(e).hasMessageStartingWith("creating replication slot blocked_slot did not finish within 2 s");
        });
      }
      open.rollback();
    }
    try (TenantDatabase db = open()) {
      assertThat(db.slot("blocked_slot")).isEmpty();
    }
  }
}
