package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;

/** Binds the runtime's Role to its ServiceAccount. Desired state only: {@link RuntimeModels#of(Context)}{@code .generateRoleBinding()}. */
public class RuntimeRoleBindingDependent extends CRUDKubernetesDependentResource<RoleBinding, RealtimeTenant> {

  public RuntimeRoleBindingDependent() {
    super(RoleBinding.class);
  }

  @Override
  protected RoleBinding desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateRoleBinding();
  }
}
