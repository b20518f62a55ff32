package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** What the runtime may do: patch its tenant's status, use its Lease. Desired state only: {@link RuntimeModel}{@code .generateRole()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeRoleDependent extends RuntimeObjectDependent<Role> {

  public RuntimeRoleDependent() {
    super(Role.class);
  }

  @Override
  protected Role render(RuntimeModel model) {
    return model.generateRole();
  }
}
