package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeLabels;
import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** The Service clients connect to. Desired state only: {@link RuntimeModels#of(Context)}{@code .generateService()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeServiceDependent extends CRUDKubernetesDependentResource<Service, RealtimeTenant> {

  public RuntimeServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generateService();
  }
}
