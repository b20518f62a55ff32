package dev.slipstream.operator.tenant.dependent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which changes of a runtime Deployment bring the tenant reconciler in: its spec (generation: someone
 * edited what this reconciler applies), its labels or annotations, the ready pod count (RuntimeReady)
 * and its deletion. Not the rest: the runtime reconciler taking ownership of {@code spec.replicas}
 * without changing it, or the Deployment controller's other status fields, change nothing the tenant
 * reconciler reads, and each would cost a reconcile (a database session and every step's apply check).
 */
public final class DeploymentChanges implements OnUpdateFilter<Deployment> {

  @Override
  public boolean accept(Deployment next, Deployment previous) {
    return !Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
        || !Objects.equals(next.getMetadata().getLabels(), previous.getMetadata().getLabels())
        || !Objects.equals(next.getMetadata().getAnnotations(), previous.getMetadata().getAnnotations())
        || !Objects.equals(next.getMetadata().getDeletionTimestamp(), previous.getMetadata().getDeletionTimestamp())
        || !Objects.equals(readyReplicas(next), readyReplicas(previous));
  }

  private static Integer readyReplicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
  }
}
