package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Service clients connect to. Desired state only: {@link RuntimeModel}{@code .generateService()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeServiceDependent extends RuntimeObjectDependent<Service> {

  public RuntimeServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service render(RuntimeModel model) {
    return model.generateService();
  }
}
