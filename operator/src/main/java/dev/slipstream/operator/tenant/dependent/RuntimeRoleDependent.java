package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeLabels;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** What the runtime may do: patch its tenant's status, use its Lease. Desired state only: {@link RuntimeModels#of(Context)}{@code .generateRole()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeRoleDependent extends CRUDKubernetesDependentResource<Role, RealtimeTenant> {

  public RuntimeRoleDependent() {
    super(Role.class);
  }

  @Override
  protected Role desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateRole();
  }
}
