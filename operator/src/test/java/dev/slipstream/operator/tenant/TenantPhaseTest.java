package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.ReplicationSpec;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.postgres.SlotState;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Ready and the phase from the other conditions; the lag budget's numbers. */
class TenantPhaseTest {

  private static final String SLOT = "slipstream_acme_acme";
  private static final long MIB = 1024 * 1024;

  private final TenantStatus statuses = new TenantStatus();

  @Test
  void everythingTrueIsReady() {
    RealtimeTenantStatus status = ready(100).build();
    assertThat(status.getPhase()).isEqualTo(TenantPhase.READY);
    assertThat(condition(status, ConditionTypes.READY).getStatus()).isEqualTo(Condition.TRUE);
    assertThat(condition(status, ConditionTypes.PUBLICATIONS_READY).getMessage()).isEqualTo("no publications");
  }

  @Test
  void onlyTheLagOverBudgetIsDegraded() {
    RealtimeTenantStatus status = ready(1_258_291).build();
    assertThat(status.getPhase()).isEqualTo(TenantPhase.DEGRADED);
    assertThat(condition(status, ConditionTypes.READY).getStatus()).isEqualTo(Condition.FALSE);
    assertThat(condition(status, ConditionTypes.LAG_WITHIN_BUDGET).getMessage()).isEqualTo(
        "the slot holds 1.2 MiB of WAL, over the 1.0 MiB budget (spec.replication.maxLagBytes)");
  }

  @Test
  void runtimeNotReadyIsProvisioningEvenWithLagOver() {
    RealtimeTenantStatus status = ready(2 * MIB).runtimeNotReady("Reconciling", "0 of 1").build();
    assertThat(status.getPhase()).isEqualTo(TenantPhase.PROVISIONING);
    assertThat(condition(status, ConditionTypes.READY).getMessage()).isEqualTo("RuntimeReady, LagWithinBudget not True");
  }

  @Test
  void aDatabaseProblemIsFailedAndTheLagUnknown() {
    RealtimeTenantStatus first = ready(100).build();
    RealtimeTenant tenant = tenant(first);
    RealtimeTenantStatus status = statuses.from(tenant).databaseNotReady("WalLevelNotLogical", "no").build();
    assertThat(status.getPhase()).isEqualTo(TenantPhase.FAILED);
    assertThat(condition(status, ConditionTypes.LAG_WITHIN_BUDGET).getStatus()).isEqualTo(Condition.UNKNOWN);
  }

  @Test
  void sizesAreShownInBinaryUnits() {
    assertThat(LagBudget.display(512)).isEqualTo("512 B");
    assertThat(LagBudget.display(1024)).isEqualTo("1.0 KiB");
    assertThat(LagBudget.display(3L * 1024 * MIB)).isEqualTo("3.0 GiB");
    RealtimeTenant tenant = tenant(null);
    tenant.getSpec().getReplication().setMaxLagBytes(new io.fabric8.kubernetes.api.model.Quantity("512Mi"));
    assertThat(LagBudget.budgetBytes(tenant)).isEqualTo(512 * MIB);
    tenant.getSpec().getReplication().setMaxLagBytes(null);
    assertThat(LagBudget.budgetBytes(tenant)).isEqualTo(1024 * MIB);
  }

  private TenantStatus.Builder ready(long lagBytes) {
    SlotState slot = new SlotState(SLOT, "pgoutput", "logical", "app", false, null, "reserved", "0/1", "0/2",
        lagBytes, null, SlotState.StandbySlots.NONE);
    return statuses.from(tenant(null)).publications(List.of()).databaseReady("fine").slot(Optional.of(slot), SLOT)
        .lag(MIB).runtimeReady("1 pod");
  }

  private static Condition condition(RealtimeTenantStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  private static RealtimeTenant tenant(RealtimeTenantStatus status) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("acme").withGeneration(3L).build());
    RealtimeTenantSpec spec = new RealtimeTenantSpec();
    spec.setReplication(new ReplicationSpec());
    tenant.setSpec(spec);
    tenant.setStatus(status);
    return tenant;
  }
}
