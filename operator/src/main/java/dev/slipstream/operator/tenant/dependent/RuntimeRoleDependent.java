package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** What the runtime may do: patch its tenant's status, use its Lease. Desired state only: {@link RuntimeModels#of(Context)}{@code .generateRole()}. */
public class RuntimeRoleDependent extends CRUDKubernetesDependentResource<Role, RealtimeTenant> {

  public RuntimeRoleDependent() {
    super(Role.class);
  }

  @Override
  protected Role desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateRole();
  }
}
