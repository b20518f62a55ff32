package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeLabels;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Binds the runtime's Role to its ServiceAccount. Desired state only: {@link RuntimeModels#of(Context)}{@code .generateRoleBinding()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeRoleBindingDependent extends CRUDKubernetesDependentResource<RoleBinding, RealtimeTenant> {

  public RuntimeRoleBindingDependent() {
    super(RoleBinding.class);
  }

  @Override
  protected RoleBinding desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateRoleBinding();
  }
}
