package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeLabels;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Keeps voluntary evictions from taking every runtime pod at once. Desired state only: {@link RuntimeModels#of(Context)}{@code .generatePodDisruptionBudget()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeDisruptionBudgetDependent extends CRUDKubernetesDependentResource<PodDisruptionBudget, RealtimeTenant> {

  public RuntimeDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(RealtimeTenant tenant, Context<RealtimeTenant> context) {
    return RuntimeModels.of(context).generatePodDisruptionBudget();
  }
}
