package dev.slipstream.operator.tenant.dependent;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Objects;

/**
 * Which changes of a runtime Deployment bring the tenant back: its spec (generation: someone edited
 * what the workflow applies, or the status loop scaled it), its labels or annotations, its pod
 * counts ({@code status.replicas} and {@code readyReplicas}: RuntimeReady and
 * {@code status.runtime}) and its deletion. Not the rest: the status loop taking ownership of
 * {@code spec.replicas} without changing it, or the Deployment controller's other status fields,
 * change nothing the tenant's round reads, and each would cost a round.
 */
public final class DeploymentChanges implements OnUpdateFilter<Deployment> {

  @Override
  public boolean accept(Deployment next, Deployment previous) {
    return !Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
        || !Objects.equals(next.getMetadata().getLabels(), previous.getMetadata().getLabels())
        || !Objects.equals(next.getMetadata().getAnnotations(), previous.getMetadata().getAnnotations())
        || !Objects.equals(next.getMetadata().getDeletionTimestamp(), previous.getMetadata().getDeletionTimestamp())
        || !Objects.equals(replicas(next), replicas(previous))
        || !Objects.equals(readyReplicas(next), readyReplicas(previous));
  }

  private static Integer replicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReplicas();
  }

  private static Integer readyReplicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
  }
}
