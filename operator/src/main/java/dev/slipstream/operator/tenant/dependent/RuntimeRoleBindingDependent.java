package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;

/** Binds the runtime's Role to its ServiceAccount. Desired state only: {@link RuntimeModel}{@code .generateRoleBinding()}. */
public class RuntimeRoleBindingDependent extends RuntimeObjectDependent<RoleBinding> {

  public RuntimeRoleBindingDependent() {
    super(RoleBinding.class);
  }

  @Override
  protected RoleBinding render(RuntimeModel model) {
    return model.generateRoleBinding();
  }
}
