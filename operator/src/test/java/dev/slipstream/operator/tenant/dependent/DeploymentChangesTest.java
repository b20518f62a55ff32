package dev.slipstream.operator.tenant.dependent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import dev.slipstream.operator.model.RuntimeLabels;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeploymentChangesTest {

  private final DeploymentChanges filter = new DeploymentChanges();

  @Test
  void readyPodsSpecAndLabelsWakeTheTenant() {
    Deployment before = deployment(1L, 0, Map.of("a", "1"));
    assertThat(filter.accept(deployment(1L, 1, Map.of("a", "1")), before)).as("a pod became ready").isTrue();
    assertThat(filter.accept(deployment(2L, 0, Map.of("a", "1")), before)).as("spec edited").isTrue();
    assertThat(filter.accept(deployment(1L, 0, Map.of("a", "2")), before)).as("labels edited").isTrue();
    Deployment surging = deployment(1L, 0, Map.of("a", "1"));
    surging.getStatus().setReplicas(2);
    assertThat(filter.accept(surging, before)).as("a pod more (status.runtime.replicas)").isTrue();
  }

  @Test
  void anOwnershipChangeAloneDoesNot() {
    Deployment before = deployment(1L, 1, Map.of("a", "1"));
    Deployment owned = deployment(1L, 1, Map.of("a", "1"));
    owned.getMetadata().setResourceVersion("2");
    owned.getMetadata().setManagedFields(java.util.List.of(new ManagedFieldsEntryBuilder()
        .withManager("slipstream-operator-runtime").withOperation("Apply").build()));
    owned.getStatus().setObservedGeneration(1L);
    assertThat(filter.accept(owned, before)).isFalse();
  }

  @Test
  void podCountsWaitWhileTheTenantWaitsForItsPublications() {
    DeploymentChanges waiting = new DeploymentChanges(tenant -> tenant.equals(new ResourceID("acme", "ns")));
    Map<String, String> labels = Map.of(RuntimeLabels.INSTANCE, "acme");
    Deployment before = deployment(1L, 0, labels);
    assertThat(waiting.accept(deployment(1L, 1, labels), before)).as("a pod became ready").isFalse();
    assertThat(waiting.accept(deployment(2L, 0, labels), before)).as("spec edited").isTrue();
    Map<String, String> other = Map.of(RuntimeLabels.INSTANCE, "other");
    assertThat(waiting.accept(deployment(1L, 1, other), deployment(1L, 0, other))).as("another tenant's").isTrue();
  }

  private static Deployment deployment(long generation, int ready, Map<String, String> labels) {
    return new DeploymentBuilder().withNewMetadata().withName("acme-runtime").withNamespace("ns")
        .withGeneration(generation).withResourceVersion("1").withLabels(labels).endMetadata()
        .withNewSpec().withReplicas(1).endSpec()
        .withNewStatus().withReplicas(1).withReadyReplicas(ready).endStatus()
        .build();
  }
}
