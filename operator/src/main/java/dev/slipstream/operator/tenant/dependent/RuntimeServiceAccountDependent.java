package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The identity the runtime pods run as. Desired state only: {@link RuntimeModel}{@code .generateServiceAccount()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeServiceAccountDependent extends RuntimeObjectDependent<ServiceAccount> {

  public RuntimeServiceAccountDependent() {
    super(ServiceAccount.class);
  }

  @Override
  protected ServiceAccount render(RuntimeModel model) {
    return model.generateServiceAccount();
  }
}
