package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The runtime's non-secret configuration (slot, publications, limits). Desired state only: {@link RuntimeModel}{@code .generateConfigMap()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeConfigMapDependent extends RuntimeObjectDependent<ConfigMap> {

  public RuntimeConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap render(RuntimeModel model) {
    return model.generateConfigMap();
  }
}
