package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.function.Predicate;

/**
 * The runtime pods, with a checksum annotation that rolls them when the Secret or config changes.
 * Desired state only: {@link RuntimeModel}{@code .generateDeployment(null)}, without
 * {@code spec.replicas}: the replica count is the runtime status loop's ({@code runtime} package,
 * its own field manager), and leaving the field out of this step's server-side apply is what keeps
 * the two from undoing each other. A new Deployment starts at Kubernetes' default of one replica;
 * the status loop sets {@code replicas.min} (or more) as soon as it sees it. Which of its
 * changes bring the tenant reconciler back: {@link DeploymentChanges}. The cache keeps no pod
 * template: whether the spec is still as applied is {@link AppliedTemplates}' question.
 */
public class RuntimeDeploymentDependent extends RuntimeObjectDependent<Deployment> {

  public static final String NAME = "deployment";

  private final Predicate<ResourceID> waitingForPublications;

  /** @param waitingForPublications whether a tenant waits for its publications ({@link DeploymentChanges}) */
  public RuntimeDeploymentDependent(Predicate<ResourceID> waitingForPublications) {
    super(Deployment.class);
    this.waitingForPublications = waitingForPublications;
  }

  @Override
  protected Deployment render(RuntimeModel model) {
    return model.generateDeployment(null);
  }

  @Override
  protected OnUpdateFilter<Deployment> onUpdateFilter() {
    return new DeploymentChanges(waitingForPublications);
  }

  @Override
  protected Deployment trim(Deployment deployment, KubernetesSerialization serialization) {
    return AppliedTemplates.trim(deployment, serialization);
  }

  /** The digest it was applied from, its labels and annotations, and the spec the last apply left. */
  @Override
  protected boolean matches(Deployment actual, Deployment desired, Context<RealtimeTenant> context) {
    KubernetesSerialization serialization = context.getClient().getKubernetesSerialization();
    return AppliedState.metadataMatches(actual, desired, serialization)
        && templates(context).unchanged(actual, serialization);
  }

  @Override
  public Deployment create(Deployment desired, RealtimeTenant tenant, Context<RealtimeTenant> context) {
    Deployment created = super.create(desired, tenant, context);
    templates(context).applied(created, context.getClient().getKubernetesSerialization());
    return created;
  }

  @Override
  public Deployment update(Deployment actual, Deployment desired, RealtimeTenant tenant,
      Context<RealtimeTenant> context) {
    Deployment updated = super.update(actual, desired, tenant, context);
    templates(context).applied(updated, context.getClient().getKubernetesSerialization());
    return updated;
  }

  private static AppliedTemplates templates(Context<RealtimeTenant> context) {
    return TenantScope.of(context).shared().templates();
  }
}
