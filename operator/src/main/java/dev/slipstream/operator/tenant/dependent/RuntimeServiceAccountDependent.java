package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.ServiceAccount;

/** The identity the runtime pods run as. Desired state only: {@link RuntimeModel}{@code .generateServiceAccount()}. */
public class RuntimeServiceAccountDependent extends RuntimeObjectDependent<ServiceAccount> {

  public RuntimeServiceAccountDependent() {
    super(ServiceAccount.class);
  }

  @Override
  protected ServiceAccount render(RuntimeModel model) {
    return model.generateServiceAccount();
  }
}
