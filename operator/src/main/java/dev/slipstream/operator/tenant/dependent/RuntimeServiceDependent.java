package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.Service;

/** The Service clients connect to. Desired state only: {@link RuntimeModel}{@code .generateService()}. */
public class RuntimeServiceDependent extends RuntimeObjectDependent<Service> {

  public RuntimeServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service render(RuntimeModel model) {
    return model.generateService();
  }
}
