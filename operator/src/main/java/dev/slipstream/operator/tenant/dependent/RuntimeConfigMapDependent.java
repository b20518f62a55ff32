package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeLabels;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The runtime's non-secret configuration (slot, publications, limits). Desired state only: {@link RuntimeModels#of(Context)}{@code .generateConfigMap()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeConfigMapDependent extends CRUDKubernetesDependentResource<ConfigMap, RealtimeTenant> {

  public RuntimeConfigMapDependent() {
    super(ConfigMap.class);
  }

  @Override
  protected ConfigMap desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateConfigMap();
  }
}
