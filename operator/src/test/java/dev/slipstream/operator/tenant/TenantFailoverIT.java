package dev.slipstream.operator.tenant;

import static dev.slipstream.operator.tenant.ClusterAsserts.awaitTenantCondition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.testing.postgres.TestPostgres;
import io.fabric8.kubernetes.api.model.Secret;
import io.javaoperatorsdk.operator.junit.LocallyRunOperatorExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * spec.replication.failover through the operator against a real PostgreSQL 17 and API server: the
 * slot is created as a failover slot, status.slot shows the flag and the primary's
 * synchronized_standby_slots, FailoverReady says when a failover would lose the slot and when it
 * would not, and turning the field off and on changes the slot in place, keeping its position.
 * (A server of its own: the test changes synchronized_standby_slots.)
 */
class TenantFailoverIT {

  @RegisterExtension
  static final TestPostgres postgres = TestPostgres.logical();

  @RegisterExtension
  static final LocallyRunOperatorExtension operator = TestCluster.operator();

  @Test
  void aTenantAskingForFailoverGetsAFailoverSlotAndIsToldWhenAFailoverWouldLoseIt() {
    operator.create(TestCluster.load(operator.getKubernetesClient(), Secret.class,
        TestCluster.secretYaml("fo-db", postgres.password())));
    RealtimeTenant tenant = TestCluster.load(operator.getKubernetesClient(), RealtimeTenant.class,
        TestCluster.tenantYaml("fo", "fo-db", "Delete", postgres.port()));
    tenant.getSpec().getReplication().setFailover(true);
    operator.create(tenant);
    ClusterAsserts.reportRuntimeReady(operator, "fo");

    RealtimeTenant exposed = awaitTenantCondition(operator, "fo", ConditionTypes.FAILOVER_READY, Condition.FALSE,
        SlotFailover.NO_STANDBY_SLOTS);
    assertThat(exposed.getStatus().getSlot().getFailover()).isTrue();
    assertThat(exposed.getStatus().getSlot().getSynchronizedStandbySlots()).isEmpty();
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> {
      RealtimeTenant degraded = operator.get(RealtimeTenant.class, "fo");
      assertThat(degraded.getStatus().getPhase()).isEqualTo(TenantPhase.DEGRADED);
      assertThat(condition(degraded, ConditionTypes.READY).getMessage()).isEqualTo("FailoverReady not True");
    });
    String position = exposed.getStatus().getSlot().getConfirmedFlushLsn();

    postgres.execute("SELECT pg_create_physical_replication_slot('fo_standby')",
        "ALTER SYSTEM SET synchronized_standby_slots = 'fo_standby'", "SELECT pg_reload_conf()");
    RealtimeTenant protectedTenant = awaitTenantCondition(operator, "fo", ConditionTypes.FAILOVER_READY,
        Condition.TRUE, "Available", "(fo_standby)");
    assertThat(protectedTenant.getStatus().getSlot().getSynchronizedStandbySlots()).isEqualTo("fo_standby");
    awaitTenantCondition(operator, "fo", ConditionTypes.READY, Condition.TRUE, "Available");

    postgres.execute("SELECT pg_drop_replication_slot('fo_standby')");
    awaitTenantCondition(operator, "fo", ConditionTypes.FAILOVER_READY, Condition.FALSE,
        SlotFailover.STANDBY_SLOT_UNUSABLE, "names fo_standby");

    ClusterAsserts.patchTenantSpec(operator, "fo", "{\"replication\":{\"failover\":false}}");
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> {
      RealtimeTenant off = operator.get(RealtimeTenant.class, "fo");
      assertThat(off.getStatus().getSlot().getFailover()).as("changed in place").isFalse();
      assertThat(off.getStatus().getSlot().getConfirmedFlushLsn()).isEqualTo(position);
      assertThat(Conditions.find(off.getStatus().getConditions(), ConditionTypes.FAILOVER_READY))
          .as("not asked for: no condition").isEmpty();
    });

    ClusterAsserts.patchTenantSpec(operator, "fo", "{\"replication\":{\"failover\":true}}");
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> {
      RealtimeTenant on = operator.get(RealtimeTenant.class, "fo");
      assertThat(on.getStatus().getSlot().getFailover()).isTrue();
      assertThat(on.getStatus().getSlot().getConfirmedFlushLsn()).isEqualTo(position);
    });
    String slot = operator.get(RealtimeTenant.class, "fo").getStatus().getSlot().getName();

    // Deleted before its server stops: reclaimPolicy Delete drops the failover slot like any other.
    operator.getKubernetesClient().resources(RealtimeTenant.class).inNamespace(operator.getNamespace())
        .withName("fo").delete();
    await().atMost(ClusterAsserts.TIMEOUT).untilAsserted(() -> {
      assertThat(operator.get(RealtimeTenant.class, "fo")).isNull();
      try (var connection = postgres.connect(); var rows = connection.createStatement().executeQuery(
          "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
        rows.next();
        assertThat(rows.getInt(1)).isZero();
      }
    });
    postgres.execute("ALTER SYSTEM RESET synchronized_standby_slots", "SELECT pg_reload_conf()");
  }

  private static Condition condition(RealtimeTenant tenant, String type) {
    return Conditions.find(tenant.getStatus().getConditions(), type).orElseThrow();
  }
}
