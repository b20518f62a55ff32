package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.reconcile.SharedStrings;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/**
 * The runtime pods, with a checksum annotation that rolls them when the Secret or config changes.
 * Desired state only: {@link RuntimeModel}{@code .generateDeployment(null)}, without
 * {@code spec.replicas}: the replica count is the runtime reconciler's ({@code runtime} package,
 * its own field manager), and leaving the field out of this step's server-side apply is what keeps
 * the two from undoing each other. A new Deployment starts at Kubernetes' default of one replica;
 * the runtime reconciler sets {@code replicas.min} (or more) as soon as it sees it. Which of its
 * changes bring the tenant reconciler back: {@link DeploymentChanges}.
 */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME,
    onUpdateFilter = DeploymentChanges.class))
public class RuntimeDeploymentDependent extends RuntimeObjectDependent<Deployment> {

  public static final String NAME = "deployment";

  public RuntimeDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment render(RuntimeModel model) {
    return model.generateDeployment(null);
  }

  /**
   * Of the status, only the ready pods: what {@code RuntimePodsReady} and {@link DeploymentChanges}
   * read; the pod template's labels shared as the object's are.
   */
  @Override
  protected Deployment trim(Deployment deployment) {
    if (deployment.getSpec() != null && deployment.getSpec().getTemplate() != null) {
      SharedStrings.intern(deployment.getSpec().getTemplate().getMetadata());
    }
    if (deployment.getStatus() != null) {
      DeploymentStatus kept = new DeploymentStatus();
      kept.setReadyReplicas(deployment.getStatus().getReadyReplicas());
      deployment.setStatus(kept);
    }
    return deployment;
  }
}
