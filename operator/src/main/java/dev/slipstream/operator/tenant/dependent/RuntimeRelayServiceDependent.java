package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.Service;

/** The headless Service for the pod-to-pod relay. Desired state only: {@link RuntimeModel}{@code .generateRelayService()}. */
public class RuntimeRelayServiceDependent extends RuntimeObjectDependent<Service> {

  public RuntimeRelayServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service render(RuntimeModel model) {
    return model.generateRelayService();
  }
}
