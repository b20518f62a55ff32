package dev.slipstream.operator.runtime;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which changes of a runtime Deployment bring the runtime reconciler in: what it reads of it, the
 * replica count it owns ({@code spec.replicas}), the counts it reports ({@code status.replicas},
 * {@code status.readyReplicas}) and its deletion. Not the rest: the tenant workflow's applies of
 * the pod template, the Deployment controller's other status fields, or the ownership of
 * {@code spec.replicas} passing to this reconciler by its own apply (it has acted on that already)
 * would each cost a reconcile that finds nothing to do.
 */
public final class DeploymentReplicasChanges implements OnUpdateFilter<Deployment> {

  @Override
  public boolean accept(Deployment next, Deployment previous) {
    return !Objects.equals(specReplicas(next), specReplicas(previous))
        || !Objects.equals(statusReplicas(next), statusReplicas(previous))
        || !Objects.equals(readyReplicas(next), readyReplicas(previous))
        || !Objects.equals(next.getMetadata().getDeletionTimestamp(), previous.getMetadata().getDeletionTimestamp());
  }

  private static Integer specReplicas(Deployment deployment) {
    return deployment.getSpec() == null ? null : deployment.getSpec().getReplicas();
  }

  private static Integer statusReplicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReplicas();
  }

  private static Integer readyReplicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
  }
}
