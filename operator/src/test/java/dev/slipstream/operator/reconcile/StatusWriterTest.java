package dev.slipstream.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class StatusWriterTest {

  private final StatusWriter<RealtimeTenant, RealtimeTenantStatus> writer = new StatusWriter<>(RealtimeTenant::new,
      (a, b) -> a != null && b != null && Objects.equals(a.getObservedGeneration(), b.getObservedGeneration()),
      RealtimeTenantStatus::getConditions);

  @Test
  void thePatchHoldsTheIdentityAndTheStatusOnly() {
    RealtimeTenantStatus status = status(4L);
    RealtimeTenant patch = writer.patch(tenant(status(3L)), status);

    assertThat(patch.getMetadata().getName()).isEqualTo("acme");
    assertThat(patch.getMetadata().getNamespace()).isEqualTo("acme");
    assertThat(patch.getMetadata().getResourceVersion()).as("no conflict with other writers").isNull();
    assertThat(patch.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(patch.getSpec()).isNull();
    assertThat(patch.getStatus()).isSameAs(status);
  }

  @Test
  void anUnchangedStatusIsNotWritten() {
    assertThat(writer.write(null, tenant(status(3L)), status(3L)).isNoUpdate()).isTrue();
    assertThat(writer.writeError(null, tenant(status(3L)), status(3L)).getResource()).isEmpty();
  }

  private static RealtimeTenant tenant(RealtimeTenantStatus status) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("acme").withResourceVersion("42")
        .addToLabels("team", "a").build());
    tenant.setSpec(new RealtimeTenantSpec());
    tenant.setStatus(status);
    return tenant;
  }

  private static RealtimeTenantStatus status(long generation) {
    RealtimeTenantStatus status = new RealtimeTenantStatus();
    status.setObservedGeneration(generation);
    return status;
  }
}
