package dev.slipstream.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeCachesTest {

  @Test
  void aCachedPodKeepsItsLabelsPhaseAndConditionsOnly() {
    Pod pod = new PodBuilder().withNewMetadata().withName("acme-runtime-1").withNamespace("ns")
        .withLabels(Map.of("app.kubernetes.io/instance", "acme")).withDeletionTimestamp("2026-12-03T09:00:00Z")
        .addNewManagedField().withManager("kubelet").endManagedField().endMetadata()
        .withNewSpec().addNewContainer().withName("runtime").withImage("x").endContainer().endSpec()
        .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addNewContainerStatus().withName("runtime").endContainerStatus().endStatus()
        .build();

    var store = RuntimeCaches.pods();
    store.put("ns/acme-runtime-1", pod);
    Pod cached = store.get("ns/acme-runtime-1");

    assertThat(cached.getSpec()).isNull();
    assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
    assertThat(cached.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", "acme");
    assertThat(cached.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(cached.getStatus().getPhase()).isEqualTo("Running");
    assertThat(cached.getStatus().getConditions()).hasSize(1);
    assertThat(cached.getStatus().getContainerStatuses()).isNullOrEmpty();
  }
}
