package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the tenant's database workflow reads from Kubernetes, as one string that changes when any of
 * it does ({@link WorkflowGate}): the tenant's generation and annotations (the slot's recreate and
 * force-delete requests), its publications' generations and readiness, the runtime's objects by
 * resourceVersion, and of the Deployment what {@code dependent.DeploymentChanges} lets in but the pod
 * count the status loop alone reads. Read from the informers' caches: no request.
 *
 * <p>What it does not cover (the Secrets, read by GET; the database) the workflow's recheck does.
 */
final class WorkflowInputs {

  /** The kinds the workflow applies, whose resourceVersion is what it needs to know of them. */
  private static final List<Class<? extends HasMetadata>> APPLIED = List.of(ConfigMap.class, ServiceAccount.class,
      Role.class, RoleBinding.class, Service.class, PodDisruptionBudget.class);

  private WorkflowInputs() {
  }

  static String of(RealtimeTenant tenant, List<RealtimePublication> publications, Context<RealtimeTenant> context) {
    StringBuilder inputs = new StringBuilder().append(tenant.getMetadata().getGeneration())
        .append(tenant.getMetadata().getAnnotations());
    for (RealtimePublication publication : publications) {
      inputs.append("|p:").append(publication.getMetadata().getName()).append('@')
          .append(publication.getMetadata().getGeneration()).append('/').append(TenantPublications.readiness(publication))
          .append(publication.isMarkedForDeletion() ? "/deleting" : "");
    }
    for (Class<? extends HasMetadata> kind : APPLIED) {
      objects(context, kind).forEach(o -> inputs.append('|').append(kind.getSimpleName()).append(':')
          .append(o.getMetadata().getName()).append('@').append(o.getMetadata().getResourceVersion()));
    }
    context.getSecondaryResource(Deployment.class).ifPresent(d -> inputs.append("|Deployment:")
        .append(d.getMetadata().getName()).append('@').append(d.getMetadata().getGeneration())
        .append(d.getMetadata().getLabels()).append(d.getMetadata().getAnnotations())
        .append(d.getMetadata().getDeletionTimestamp())
        .append('/').append(d.getStatus() == null ? null : d.getStatus().getReadyReplicas()));
    return inputs.toString();
  }

  private static Stream<? extends HasMetadata> objects(Context<RealtimeTenant> context, Class<? extends HasMetadata> kind) {
    return context.getSecondaryResources(kind).stream()
        .sorted(Comparator.comparing((HasMetadata o) -> o.getMetadata().getName()));
  }
}
