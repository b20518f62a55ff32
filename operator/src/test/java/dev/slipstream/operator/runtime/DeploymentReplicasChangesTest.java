package dev.slipstream.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.Test;

class DeploymentReplicasChangesTest {

  private final DeploymentReplicasChanges filter = new DeploymentReplicasChanges();

  @Test
  void onlyTheCountsAndDeletionAreNews() {
    Deployment before = deployment(1, 1, 0, 3L, "a:1");
    assertThat(filter.accept(deployment(2, 1, 0, 4L, "a:1"), before)).as("spec.replicas").isTrue();
    assertThat(filter.accept(deployment(1, 2, 0, 3L, "a:1"), before)).as("status.replicas").isTrue();
    assertThat(filter.accept(deployment(1, 1, 1, 3L, "a:1"), before)).as("status.readyReplicas").isTrue();
    Deployment deleting = deployment(1, 1, 0, 3L, "a:1");
    deleting.getMetadata().setDeletionTimestamp("2026-12-03T09:00:00Z");
    assertThat(filter.accept(deleting, before)).as("deletion").isTrue();

    assertThat(filter.accept(deployment(1, 1, 0, 4L, "a:2"), before)).as("the pod template applied again").isFalse();
  }

  private static Deployment deployment(int replicas, int statusReplicas, int ready, long generation, String image) {
    return new DeploymentBuilder().withNewMetadata().withName("t-runtime").withGeneration(generation).endMetadata()
        .withNewSpec().withReplicas(replicas).withNewTemplate().withNewSpec().addNewContainer().withName("runtime")
        .withImage(image).endContainer().endSpec().endTemplate().endSpec()
        .withNewStatus().withReplicas(statusReplicas).withReadyReplicas(ready).endStatus().build();
  }
}
