package dev.slipstream.e2e;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

/** Where no kubelet runs: a Deployment is told that its one pod is ready, as the kubelet's reports would tell it. */
final class ReadyDeployment {

  private ReadyDeployment() {
  }

  static void markReady(KubernetesClient client, Deployment deployment) {
    String namespace = deployment.getMetadata().getNamespace();
    client.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
            .withName(deployment.getMetadata().getName()).withNamespace(namespace).endMetadata().withNewStatus()
            .withReplicas(1).withReadyReplicas(1).withAvailableReplicas(1).endStatus().build())
        .subresource("status")
        .patch(new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("test-kubelet")
            .withForce(true).build());
  }
}
