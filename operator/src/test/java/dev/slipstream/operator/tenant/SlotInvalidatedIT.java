package dev.slipstream.operator.tenant;

import static dev.slipstream.operator.tenant.ClusterAsserts.awaitEvent;
import static dev.slipstream.operator.tenant.ClusterAsserts.awaitTenantCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.model.SlotNames;
import dev.slipstream.operator.tenant.dependent.SlotHistory;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A slot PostgreSQL invalidated itself ({@code max_slot_wal_keep_size} exceeded, {@code wal_status
 * = lost}): the tenant says so plainly, the operator does not recreate it behind anyone's back, and
 * the documented recovery (the recreate annotation) brings a new one. Its own PostgreSQL, so the
 * tiny {@code max_slot_wal_keep_size} cannot invalidate other classes' slots.
 */
class SlotInvalidatedIT {

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical().with("max_slot_wal_keep_size", "1MB");

  @Test
  void aSlotInvalidatedByMaxSlotWalKeepSizeIsReportedNeverRecreatedSilentlyAndRecreatedOnRequest()
      throws SQLException {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("lost-db", postgres.password())));
    operator.create(TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("lost", "lost-db", "Delete", postgres.port())));
    String slot = SlotNames.derive(operator.getNamespace(), "lost");
    awaitTenantCondition(operator, "lost", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");

    // Nothing reads the slot; WAL past max_slot_wal_keep_size and a checkpoint make PostgreSQL drop it.
    postgres.execute("CREATE TABLE filler (id bigserial PRIMARY KEY, payload text)");
    await().atMost(ClusterAsserts.TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
      postgres.execute("INSERT INTO filler (payload) SELECT repeat('x', 1000) FROM generate_series(1, 2000)",
          "SELECT pg_switch_wal()", "CHECKPOINT");
      return "lost".equals(walStatus(slot));
    });

    RealtimeTenant lost = awaitTenantCondition(operator, "lost", ConditionTypes.SLOT_READY, Condition.FALSE,
        TenantStatus.SLOT_LOST, "wal_status 'lost'");
    assertThat(lost.getStatus().getSlot().getWalStatus()).isEqualTo("lost");
    assertThat(lost.getStatus().getPhase()).isEqualTo(TenantPhase.FAILED);
    awaitEvent(operator, "RealtimeTenant", "lost", "Warning", TenantStatus.SLOT_LOST);
    // Several rechecks later (every 2 s here) the invalidated slot is still there, not recreated.
    await().pollDelay(Duration.ofSeconds(6)).atMost(ClusterAsserts.TIMEOUT)
        .untilAsserted(() -> assertThat(walStatus(slot)).isEqualTo("lost"));

    RealtimeTenant tenant = operator.get(RealtimeTenant.class, "lost");
    tenant.getMetadata().setAnnotations(Map.of(SlotHistory.RECREATE_SLOT_ANNOTATION, "true"));
    operator.replace(tenant);
    awaitTenantCondition(operator, "lost", ConditionTypes.SLOT_READY, Condition.TRUE, "Available");
    assertThat(walStatus(slot)).isIn("reserved", "extended");
  }

  private static String walStatus(String slot) throws SQLException {
    try (Connection connection = postgres.connect(); PreparedStatement query = connection.prepareStatement(
        "SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
      query.setString(1, slot);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
