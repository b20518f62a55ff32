package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.postgres.SlotState;
import dev.slipstream.operator.postgres.SlotState.StandbySlots;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** FailoverReady: each way a failover would lose the slot, the phase it leaves, and its absence when not asked. */
class SlotFailoverTest {

  private static final String SLOT = "slipstream_acme_acme";

  private final TenantStatus statuses = new TenantStatus();

  @Test
  void aFailoverSlotWithUsableStandbySlotsIsReady() {
    RealtimeTenantStatus status = build(true, slot(true, new StandbySlots("standby_a", List.of())), null);
    Condition condition = condition(status);
    assertThat(condition.getStatus()).isEqualTo(Condition.TRUE);
    assertThat(condition.getMessage()).contains("is a failover slot").contains("(standby_a)").contains("synced = true");
    assertThat(status.getPhase()).isEqualTo(TenantPhase.READY);
    assertThat(status.getSlot().getFailover()).isTrue();
    assertThat(status.getSlot().getSynchronizedStandbySlots()).isEqualTo("standby_a");
  }

  @Test
  void eachWayAFailoverLosesTheSlotHasItsReasonAndLeavesTheTenantDegraded() {
    assertFalse(slot(null, StandbySlots.NONE), SlotFailover.NOT_SUPPORTED,
        "spec.replication.failover is true, but this server has no failover slots (they need PostgreSQL 17)");
    assertFalse(slot(false, new StandbySlots("standby_a", List.of())), SlotFailover.SLOT_NOT_FAILOVER,
        "The operator changes it in place (ALTER_REPLICATION_SLOT " + SLOT + " ( FAILOVER true )");
    assertFalse(slot(true, new StandbySlots("", List.of())), SlotFailover.NO_STANDBY_SLOTS,
        "synchronized_standby_slots is empty");
    assertFalse(slot(true, new StandbySlots("standby_a, gone", List.of("gone"))), SlotFailover.STANDBY_SLOT_UNUSABLE,
        "names gone, not a physical replication slot");
  }

  @Test
  void notAskedForMeansNoConditionAndAFormerOneRemoved() {
    RealtimeTenantStatus asked = build(true, slot(false, StandbySlots.NONE), null);
    assertThat(condition(asked).getStatus()).isEqualTo(Condition.FALSE);

    RealtimeTenantStatus notAsked = build(false, slot(false, StandbySlots.NONE), asked);
    assertThat(Conditions.find(notAsked.getConditions(), ConditionTypes.FAILOVER_READY)).isEmpty();
    assertThat(notAsked.getPhase()).isEqualTo(TenantPhase.READY);
    assertThat(notAsked.getSlot().getFailover()).as("the status still says the slot is no failover slot").isFalse();
  }

  @Test
  void theConditionIsUnknownWhileTheSlotIsNot() {
    RealtimeTenantStatus ready = build(true, slot(true, new StandbySlots("standby_a", List.of())), null);
    RealtimeTenantStatus broken = statuses.from(tenant(ready)).databaseNotReady("DatabaseUnreachable", "down").build();
    assertThat(condition(broken).getStatus()).isEqualTo(Condition.UNKNOWN);
  }

  private void assertFalse(SlotState slot, String reason, String messagePart) {
    RealtimeTenantStatus status = build(true, slot, null);
    Condition condition = condition(status);
    assertThat(condition.getStatus()).isEqualTo(Condition.FALSE);
    assertThat(condition.getReason()).isEqualTo(reason);
    assertThat(condition.getMessage()).contains(messagePart).doesNotContain("Exception");
    assertThat(status.getPhase()).as("the tenant streams, but not as asked").isEqualTo(TenantPhase.DEGRADED);
    assertThat(Conditions.find(status.getConditions(), ConditionTypes.READY).orElseThrow().getMessage())
        .isEqualTo("FailoverReady not True");
  }

  private RealtimeTenantStatus build(boolean asked, SlotState slot, RealtimeTenantStatus previous) {
    return statuses.from(tenant(previous)).publications(List.of()).databaseReady("fine").slot(Optional.of(slot), SLOT)
        .lag(1L << 30).failover(asked, Optional.of(slot)).runtimeReady("1 pod").build();
  }

  private static SlotState slot(Boolean failover, StandbySlots standbys) {
    return new SlotState(SLOT, "pgoutput", "logical", "app", true, 42, "reserved", "0/1", "0/2", 0L, failover, standbys);
  }

  private static Condition condition(RealtimeTenantStatus status) {
    return Conditions.find(status.getConditions(), ConditionTypes.FAILOVER_READY).orElseThrow();
  }

  private static RealtimeTenant tenant(RealtimeTenantStatus status) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("acme").withGeneration(1L).build());
    tenant.setSpec(new RealtimeTenantSpec());
    tenant.setStatus(status);
    return tenant;
  }
}
