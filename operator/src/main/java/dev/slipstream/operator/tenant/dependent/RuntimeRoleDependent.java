package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.rbac.Role;

/** What the runtime may do: patch its tenant's status, use its Lease. Desired state only: {@link RuntimeModel}{@code .generateRole()}. */
public class RuntimeRoleDependent extends RuntimeObjectDependent<Role> {

  public RuntimeRoleDependent() {
    super(Role.class);
  }

  @Override
  protected Role render(RuntimeModel model) {
    return model.generateRole();
  }
}
