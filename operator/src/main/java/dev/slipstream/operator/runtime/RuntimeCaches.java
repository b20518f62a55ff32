package dev.slipstream.operator.runtime;

import dev.slipstream.operator.config.OperatorConfig;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;

/**
 * What the runtime reconciler's informers keep of the runtime's Pods and Deployments: what
 * {@link RuntimeReconciler} reads, nothing else. Pods: the metadata (name, labels, deletion) and the
 * phase and conditions. Deployments: the metadata with only this reconciler's own
 * {@code managedFields} entries ({@link RuntimeReconciler#ownsReplicas}), {@code spec.replicas} and
 * the status. The pod template, the container statuses and the other managers' entries are most of
 * each object, and the tenant reconciler keeps the whole Deployment in its own informer anyway.
 */
final class RuntimeCaches {

  private RuntimeCaches() {
  }

  static TrimmedItemStore<Pod> pods() {
    return new TrimmedItemStore<>(pod -> {
      pod.getMetadata().setManagedFields(null);
      pod.setSpec(null);
      if (pod.getStatus() != null) {
        PodStatus kept = new PodStatus();
        kept.setPhase(pod.getStatus().getPhase());
        kept.setConditions(pod.getStatus().getConditions());
        pod.setStatus(kept);
      }
      return pod;
    });
  }

  static TrimmedItemStore<Deployment> deployments() {
    return new TrimmedItemStore<>(deployment -> {
      if (deployment.getMetadata().getManagedFields() != null) {
        deployment.getMetadata().setManagedFields(deployment.getMetadata().getManagedFields().stream()
            .filter(m -> OperatorConfig.RUNTIME_FIELD_MANAGER.equals(m.getManager())).toList());
      }
      if (deployment.getSpec() != null) {
        DeploymentSpec kept = new DeploymentSpec();
        kept.setReplicas(deployment.getSpec().getReplicas());
        deployment.setSpec(kept);
      }
      return deployment;
    });
  }
}
