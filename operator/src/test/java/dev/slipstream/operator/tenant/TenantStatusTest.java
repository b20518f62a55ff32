package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.TenantPhase;
import dev.slipstream.operator.postgres.SlotState;
import dev.slipstream.operator.tenant.dependent.SlotHistory;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TenantStatusTest {

  private static final String SLOT = "slipstream_acme_acme";

  private final TenantStatus statuses = new TenantStatus(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

  @Test
  void readyDatabaseAndSlotAreProvisioningUntilTheRuntimeIsManaged() {
    RealtimeTenantStatus status = statuses.from(tenant(null)).databaseReady("fine")
        .slot(Optional.of(slot("reserved", "pgoutput")), SLOT).build();

    assertThat(status.getPhase()).isEqualTo(TenantPhase.PROVISIONING);
    assertThat(status.getObservedGeneration()).isEqualTo(3L);
    assertThat(condition(status, ConditionTypes.DATABASE_READY).getStatus()).isEqualTo(Condition.TRUE);
    assertThat(condition(status, ConditionTypes.SLOT_READY).getStatus()).isEqualTo(Condition.TRUE);
    assertThat(condition(status, ConditionTypes.READY).getReason()).isEqualTo(TenantStatus.RUNTIME_NOT_MANAGED);
    assertThat(status.getSlot().getName()).isEqualTo(SLOT);
    assertThat(status.getSlot().getLagBytes()).isEqualTo(42L);
    assertThat(status.getSlot().getConfirmedFlushLsn()).isEqualTo("0/2");
  }

  @Test
  void aLostSlotIsReportedAsSuch() {
    RealtimeTenantStatus status = statuses.from(tenant(null)).databaseReady("fine")
        .slot(Optional.of(slot("lost", "pgoutput")), SLOT).build();

    assertThat(status.getPhase()).isEqualTo(TenantPhase.FAILED);
    Condition slotReady = condition(status, ConditionTypes.SLOT_READY);
    assertThat(slotReady.getStatus()).isEqualTo(Condition.FALSE);
    assertThat(slotReady.getReason()).isEqualTo(TenantStatus.SLOT_LOST);
    assertThat(slotReady.getMessage()).contains(SlotHistory.RECREATE_SLOT_ANNOTATION);
  }

  @Test
  void aMissingSlotTheStatusRecordedIsLostAndKeepsItsName() {
    RealtimeTenantStatus before = statuses.from(tenant(null)).databaseReady("fine")
        .slot(Optional.of(slot("reserved", "pgoutput")), SLOT).build();
    RealtimeTenant tenant = tenant(before);
    assertThat(SlotHistory.recordedInStatus(tenant, SLOT)).isTrue();

    RealtimeTenantStatus after = statuses.from(tenant).databaseReady("fine").slot(Optional.empty(), SLOT).build();

    assertThat(condition(after, ConditionTypes.SLOT_READY).getReason()).isEqualTo(TenantStatus.SLOT_LOST);
    assertThat(after.getSlot().getName()).isEqualTo(SLOT);
    assertThat(after.getSlot().getActive()).isFalse();
    assertThat(SlotHistory.recordedInStatus(tenant(after), SLOT)).isTrue();
  }

  @Test
  void aSlotOfAnotherPluginIsNotReady() {
    RealtimeTenantStatus status = statuses.from(tenant(null)).databaseReady("fine")
        .slot(Optional.of(slot("reserved", "test_decoding")), SLOT).build();
    assertThat(condition(status, ConditionTypes.SLOT_READY).getReason()).isEqualTo(TenantStatus.SLOT_NOT_PGOUTPUT);
  }

  @Test
  void aDatabaseProblemLeavesTheSlotUnknown() {
    RealtimeTenantStatus status = statuses.from(tenant(null)).databaseNotReady("WalLevelNotLogical", "wal_level is 'replica'")
        .build();

    assertThat(status.getPhase()).isEqualTo(TenantPhase.FAILED);
    assertThat(condition(status, ConditionTypes.DATABASE_READY).getReason()).isEqualTo("WalLevelNotLogical");
    assertThat(condition(status, ConditionTypes.SLOT_READY).getStatus()).isEqualTo(Condition.UNKNOWN);
    assertThat(condition(status, ConditionTypes.READY).getStatus()).isEqualTo(Condition.FALSE);
  }

  @Test
  void theSameFindingsMakeTheSameStatus() {
    RealtimeTenantStatus first = statuses.from(tenant(null)).databaseReady("fine")
        .slot(Optional.of(slot("reserved", "pgoutput")), SLOT).build();
    RealtimeTenantStatus second = statuses.from(tenant(first)).databaseReady("fine")
        .slot(Optional.of(slot("reserved", "pgoutput")), SLOT).build();
    assertThat(TenantStatus.same(first, second)).isTrue();

    RealtimeTenantStatus moved = statuses.from(tenant(first)).databaseReady("fine")
        .slot(Optional.of(new SlotState(SLOT, "pgoutput", "logical", "app", false, null, "reserved", "0/1", "0/3", 7L, null,
            SlotState.StandbySlots.NONE)), SLOT)
        .build();
    assertThat(TenantStatus.same(first, moved)).isFalse();
  }

  private static Condition condition(RealtimeTenantStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }

  private static SlotState slot(String walStatus, String plugin) {
    return new SlotState(SLOT, plugin, "logical", "app", false, null, walStatus, "0/1", "0/2", 42L, null,
        SlotState.StandbySlots.NONE);
  }

  private static RealtimeTenant tenant(RealtimeTenantStatus status) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("acme").withGeneration(3L).build());
    tenant.setStatus(status);
    return tenant;
  }
}
