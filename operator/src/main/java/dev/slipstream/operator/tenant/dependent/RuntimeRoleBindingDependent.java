package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Binds the runtime's Role to its ServiceAccount. Desired state only: {@link RuntimeModel}{@code .generateRoleBinding()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeRoleBindingDependent extends RuntimeObjectDependent<RoleBinding> {

  public RuntimeRoleBindingDependent() {
    super(RoleBinding.class);
  }

  @Override
  protected RoleBinding render(RuntimeModel model) {
    return model.generateRoleBinding();
  }
}
