package dev.slipstream.operator.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RealtimeTenantStatus;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.api.v1alpha1.RuntimeStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class TenantChangesTest {

  private final TenantChanges onUpdate = new TenantChanges();

  @Test
  void aPodsReportIsNewsButTheControllersOwnStatusWritesAreNot() {
    RealtimeTenant before = tenant(1L, List.of(pod("a", 10)));
    assertThat(onUpdate.accept(tenant(1L, List.of(pod("a", 11))), before)).as("a new report").isTrue();
    assertThat(onUpdate.accept(tenant(1L, List.of(pod("a", 10), pod("b", 0))), before)).as("a new pod").isTrue();
    assertThat(onUpdate.accept(tenant(1L, List.of()), before)).as("an entry removed").isTrue();

    RealtimeTenant conditions = tenant(1L, List.of(pod("a", 10)));
    conditions.getStatus().setConditions(List.of(Condition.isTrue("Ready", "Available", "ready")));
    conditions.getStatus().getRuntime().setConnectedClients(10L);
    assertThat(onUpdate.accept(conditions, before)).as("conditions and status.runtime but pods").isFalse();
  }

  @Test
  void theFinalizerAndTheFirstStatusAreNotNews() {
    RealtimeTenant created = tenant(1L, List.of());
    created.setStatus(null);
    RealtimeTenant finalized = tenant(1L, List.of());
    finalized.setStatus(null);
    finalized.getMetadata().setFinalizers(List.of("realtimetenants.realtime.slipstream.dev/finalizer"));
    assertThat(onUpdate.accept(finalized, created)).as("the finalizer").isFalse();
    RealtimeTenant firstStatus = tenant(1L, List.of());
    firstStatus.getStatus().setRuntime(null);
    firstStatus.getStatus().setConditions(List.of(Condition.isFalse("Ready", "DependencyNotReady", "not yet")));
    assertThat(onUpdate.accept(firstStatus, finalized)).as("the controller's first status").isFalse();
  }

  @Test
  void aSpecChangeAndTheStartOfDeletionAreNews() {
    RealtimeTenant before = tenant(1L, List.of());
    assertThat(onUpdate.accept(tenant(2L, List.of()), before)).isTrue();
    RealtimeTenant deleting = tenant(1L, List.of());
    deleting.getMetadata().setDeletionTimestamp("2026-12-03T09:00:00Z");
    assertThat(onUpdate.accept(deleting, before)).isTrue();
  }

  private static RealtimeTenant tenant(long generation, List<RuntimePodStatus> pods) {
    RealtimeTenant tenant = new RealtimeTenant();
    tenant.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("ns").withGeneration(generation).build());
    RealtimeTenantStatus status = new RealtimeTenantStatus();
    RuntimeStatus runtime = new RuntimeStatus();
    runtime.setPods(pods);
    status.setRuntime(runtime);
    tenant.setStatus(status);
    return tenant;
  }

  private static RuntimePodStatus pod(String name, long clients) {
    RuntimePodStatus pod = new RuntimePodStatus(name);
    pod.setClients(clients);
    pod.setReportedAt("2026-12-03T09:00:00Z");
    return pod;
  }
}
