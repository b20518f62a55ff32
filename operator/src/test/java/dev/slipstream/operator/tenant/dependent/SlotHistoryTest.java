package dev.slipstream.operator.tenant.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.SlotStatus;
import dev.slipstream.operator.model.SlotNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the slot step may create the tenant's slot: never behind anyone's back. */
class SlotHistoryTest {

  private final SlotHistory history = new SlotHistory();

  @Test
  void aTenantThatNeverHadASlotGetsOne() {
    RealtimeTenant tenant = tenant(Map.of(), false);
    assertThat(history.mayCreate(tenant, SlotNames.forTenant(tenant))).isTrue();
  }

  @Test
  void aSlotTheStatusRecordsIsNotRecreatedUnlessAsked() {
    RealtimeTenant tenant = tenant(Map.of(), true);
    String slot = SlotNames.forTenant(tenant);
    assertThat(SlotHistory.recordedInStatus(tenant, slot)).isTrue();
    assertThat(history.mayCreate(tenant, slot)).isFalse();

    RealtimeTenant asked = tenant(Map.of(SlotHistory.RECREATE_SLOT_ANNOTATION, "true"), true);
    assertThat(history.mayCreate(asked, slot)).isTrue();
  }

  @Test
  void aSlotThisProcessCreatedCountsBeforeTheStatusRecordsIt() {
    RealtimeTenant tenant = tenant(Map.of(), false);
    String slot = SlotNames.forTenant(tenant);
    history.created(tenant, slot);
    assertThat(history.mayCreate(tenant, slot)).isFalse();

    history.forget(tenant);
    assertThat(history.mayCreate(tenant, slot)).as("a new tenant of the same name starts afresh").isTrue();
  }

  private static RealtimeTenant tenant(Map<String, String> annotations, boolean statusRecordsSlot) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("shop").withAnnotations(annotations).build());
    tenant.setSpec(new RealtimeTenantSpec());
    if (statusRecordsSlot) {
      SlotStatus slot = new SlotStatus();
      slot.setName(SlotNames.forTenant(tenant));
      RealtimeTenantStatus status = new RealtimeTenantStatus();
      status.setSlot(slot);
      tenant.setStatus(status);
    }
    return tenant;
  }
}
