package dev.slipstream.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipstream.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.List;
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

  @Test
  void aCachedDeploymentStillTellsWhetherThisReconcilerOwnsItsReplicas() {
    Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("acme-runtime").withNamespace("ns")
        .withManagedFields(List.of(
            new ManagedFieldsEntryBuilder().withManager(OperatorConfig.FIELD_MANAGER).withOperation("Apply").build(),
            new ManagedFieldsEntryBuilder().withManager(OperatorConfig.RUNTIME_FIELD_MANAGER).withOperation("Apply")
                .withFieldsV1(fields(Map.of("f:spec", Map.of("f:replicas", Map.of())))).build()))
        .endMetadata()
        .withNewSpec().withReplicas(3).withNewTemplate().withNewSpec().addNewContainer().withName("runtime")
        .endContainer().endSpec().endTemplate().endSpec()
        .withNewStatus().withReplicas(3).withReadyReplicas(2).endStatus()
        .build();

    var store = RuntimeCaches.deployments();
    store.put("ns/acme-runtime", deployment);
    Deployment cached = store.get("ns/acme-runtime");

    assertThat(cached.getSpec().getReplicas()).isEqualTo(3);
    assertThat(cached.getSpec().getTemplate()).isNull();
    assertThat(cached.getStatus().getReadyReplicas()).isEqualTo(2);
    assertThat(cached.getMetadata().getManagedFields()).extracting("manager")
        .containsExactly(OperatorConfig.RUNTIME_FIELD_MANAGER);
    assertThat(RuntimeReconciler.ownsReplicas(cached)).isTrue();
  }

  private static FieldsV1 fields(Map<String, Object> fields) {
    FieldsV1 v1 = new FieldsV1();
    fields.forEach(v1::setAdditionalProperty);
    return v1;
  }
}
