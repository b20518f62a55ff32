package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.ConfigMap;

/** The runtime's non-secret configuration (slot, publications, limits). Desired state only: {@link RuntimeModel}{@code .generateConfigMap()}. */
public class RuntimeConfigMapDependent extends RuntimeObjectDependent<ConfigMap> {

  public RuntimeConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap render(RuntimeModel model) {
    return model.generateConfigMap();
  }
}
