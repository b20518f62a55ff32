package dev.slipstream.operator.tenant;

import static dev.slipstream.operator.tenant.ClusterAsserts.awaitEvent;
import static dev.slipstream.operator.tenant.ClusterAsserts.awaitTenantCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A database unfit for logical replication, each with its exact reason. Each case has a server of
 * its own, since the settings are the point: wal_level=replica, and max_replication_slots=1 already
 * taken. The role without REPLICATION uses the shared server (embedded PostgreSQL trusts local
 * connections, so the password in the Secret does not matter).
 */
class TenantBadInputIT {

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  private static final Duration WINDOW = Duration.ofSeconds(12);

  private static final TestPostgres replicaOnly = TestPostgres.logical().with("wal_level", "replica").start();
  private static final TestPostgres oneSlot = TestPostgres.logical().with("max_replication_slots", "1").start();

  @AfterAll
  static void stopServers() {
    replicaOnly.stop();
    oneSlot.stop();
  }

  @Test
  void walLevelReplicaIsWalLevelNotLogical() {
    tenant("replica", replicaOnly.port(), "postgres");
    RealtimeTenant tenant = awaitTenantCondition(operator, "replica", ConditionTypes.DATABASE_READY, Condition.FALSE,
        "WalLevelNotLogical");
    assertThat(message(tenant)).contains("wal_level").contains("replica");
    assertThat(tenant.getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);
    awaitEvent(operator, "RealtimeTenant", "replica", "Warning", "WalLevelNotLogical");

    // No hot loop: this server serves only this tenant, and every reconcile commits its fitness query
    // (on a session of its own or one an earlier reconcile left), so the transactions committed over a
    // window bound the reconciles. The test rechecks every 2 s: about 6 in 12 s, plus this count's own
    // queries; a loop retrying as fast as it fails would commit hundreds.
    long before = commits(replicaOnly);
    await().pollDelay(WINDOW).atMost(WINDOW.plusSeconds(30)).until(() -> true);
    long committed = commits(replicaOnly) - before;
    assertThat(committed).as("transactions committed in " + WINDOW).isBetween(2L, 30L);
  }

  @Test
  void noFreeSlotIsNoFreeReplicationSlots() {
    oneSlot.execute("SELECT pg_create_logical_replication_slot('someone_elses', 'pgoutput')");
    tenant("crowded", oneSlot.port(), "postgres");
    RealtimeTenant tenant = awaitTenantCondition(operator, "crowded", ConditionTypes.DATABASE_READY, Condition.FALSE,
        "NoFreeReplicationSlots");
    assertThat(message(tenant)).contains("max_replication_slots");
    assertThat(tenant.getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);
    assertThat(Conditions.find(tenant.getStatus().getConditions(), ConditionTypes.SLOT_READY).orElseThrow().getStatus())
        .isEqualTo(Condition.UNKNOWN);
    String slot = SlotNames.derive(operator.getNamespace(), "crowded");
    assertThat(slotCount(oneSlot, slot)).isZero();
  }

  @Test
  void roleWithoutReplicationIsRoleLacksReplication() {
    TestPostgres shared = TestCluster.postgres();
    shared.execute("DROP ROLE IF EXISTS slip_norepl", "CREATE ROLE slip_norepl LOGIN NOREPLICATION PASSWORD 'any'");
    tenant("norepl", shared.port(), "slip_norepl");
    RealtimeTenant tenant = awaitTenantCondition(operator, "norepl", ConditionTypes.DATABASE_READY, Condition.FALSE,
        "RoleLacksReplication");
    assertThat(message(tenant)).contains("slip_norepl").contains("REPLICATION");
    assertThat(slotCount(shared, SlotNames.derive(operator.getNamespace(), "norepl"))).isZero();
  }

  @Test
  void aWrongPasswordIsAuthenticationFailedWithoutThePassword() {
    TestPostgres shared = TestCluster.postgres();
    shared.requirePassword("slip_pw", "Right-H0rse-Battery");
    tenant("wrongpw", shared.port(), "slip_pw", "Wr0ng-Staple-Guess");
    RealtimeTenant tenant = awaitTenantCondition(operator, "wrongpw", ConditionTypes.DATABASE_READY, Condition.FALSE,
        "AuthenticationFailed");
    assertThat(message(tenant)).contains("slip_pw").contains("password authentication failed")
        .doesNotContain("Wr0ng-Staple-Guess").doesNotContain("Right-H0rse-Battery");
    assertThat(tenant.getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);
    awaitEvent(operator, "RealtimeTenant", "wrongpw", "Warning", "AuthenticationFailed");
    assertThat(slotCount(shared, SlotNames.derive(operator.getNamespace(), "wrongpw"))).isZero();
  }

  /**
   * A failure thrown out of reconcile (here: a server that accepts TCP connections and hangs up
   * before speaking the protocol) goes through JOSDK's retry: 2 s, then doubling, capped at 5 min.
   * The listener counts connection attempts, which bound the reconciles.
   */
  @Test
  void aThrownFailureIsRetriedWithBackoffNotInALoop() throws Exception {
    try (HangingUpServer server = new HangingUpServer()) {
      tenant("hangup", server.port(), "postgres");
      RealtimeTenant tenant = awaitTenantCondition(operator, "hangup", ConditionTypes.DATABASE_READY, Condition.FALSE,
          "DatabaseUnreachable");
      assertThat(message(tenant)).contains("localhost:" + server.port());
      long before = server.accepted();
      await().pollDelay(WINDOW).atMost(WINDOW.plusSeconds(30)).until(() -> true);
      // Attempts at +2, +4, +8 s... after the first: at most 3 or 4 in 12 s. A hot loop: thousands.
      assertThat(server.accepted() - before).as("connection attempts in " + WINDOW).isBetween(1L, 5L);
    }
  }

  /** Accepts every connection and closes it at once, counting them. */
  private static final class HangingUpServer implements AutoCloseable {
    private final java.net.ServerSocket socket = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress());
    private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
    private final Thread acceptor = Thread.ofVirtual().start(() -> {
      while (!socket.isClosed()) {
        try (java.net.Socket ignored = socket.accept()) {
          accepted.incrementAndGet();
        } catch (java.io.IOException e) {
          // Closed: the test is over.
        }
      }
    });

    HangingUpServer() throws java.io.IOException {
    }

    int port() {
      return socket.getLocalPort();
    }

    long accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      acceptor.join(5_000);
    }
  }

  private void tenant(String name, int port, String user) {
    tenant(name, port, user, "any");
  }

  private void tenant(String name, int port, String user, String password) {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class, """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s-db}
        stringData: {username: %s, password: %s}
        """.formatted(name, user, password)));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml(name, name + "-db", "Delete", port)));
  }

  private static String message(RealtimeTenant tenant) {
    return Conditions.find(tenant.getStatus().getConditions(), ConditionTypes.DATABASE_READY).orElseThrow().getMessage();
  }

  /** Sessions ever established to the database (pg_stat_database.sessions, PostgreSQL 14+); ours included. */
  private static long commits(TestPostgres server) {
    try (var connection = server.connect(); var statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long slotCount(TestPostgres server, String slot) {
    try (var connection = server.connect();
        var query = connection.prepareStatement("SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?")) {
      query.setString(1, slot);
      try (var rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
