package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which changes of a runtime Deployment bring the tenant back: its spec (generation: someone edited
 * what the workflow applies, or the status loop scaled it), its labels or annotations, its pod
 * counts ({@code status.replicas} and {@code readyReplicas}: RuntimeReady and
 * {@code status.runtime}) and its deletion. Not the rest: the status loop taking ownership of
 * {@code spec.replicas} without changing it, or the Deployment controller's other status fields,
 * change nothing the tenant's round reads, and each would cost a round.
 *
 * <p>The pod counts not while the tenant waits for its publications' first reconcile
 * ({@code waitingForPublications}): the publication's status will bring it back, and that round
 * reads the counts (the tenant's {@code ProvisioningWaits}).
 */
public final class DeploymentChanges implements OnUpdateFilter<Deployment> {

  private final Predicate<ResourceID> waitingForPublications;

  /** Every change above, the pod counts included, whatever the tenant waits for. */
  public DeploymentChanges() {
    this(tenant -> false);
  }

  public DeploymentChanges(Predicate<ResourceID> waitingForPublications) {
    this.waitingForPublications = waitingForPublications;
  }

  @Override
  public boolean accept(Deployment next, Deployment previous) {
    if (!Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
        || !Objects.equals(next.getMetadata().getLabels(), previous.getMetadata().getLabels())
        || !Objects.equals(next.getMetadata().getAnnotations(), previous.getMetadata().getAnnotations())
        || !Objects.equals(next.getMetadata().getDeletionTimestamp(), previous.getMetadata().getDeletionTimestamp())) {
      return true;
    }
    boolean counts = !Objects.equals(replicas(next), replicas(previous))
        || !Objects.equals(readyReplicas(next), readyReplicas(previous));
    return counts && !waitingForPublications.test(tenantOf(next));
  }

  /** The tenant a runtime Deployment belongs to: its instance label (every runtime object carries it). */
  private static ResourceID tenantOf(Deployment deployment) {
    Map<String, String> labels = deployment.getMetadata().getLabels();
    String tenant = labels == null ? null : labels.get(RuntimeLabels.INSTANCE);
    return new ResourceID(tenant == null ? "" : tenant, deployment.getMetadata().getNamespace());
  }

  private static Integer replicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReplicas();
  }

  private static Integer readyReplicas(Deployment deployment) {
    return deployment.getStatus() == null ? null : deployment.getStatus().getReadyReplicas();
  }
}
