package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeLabels;
import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;

/** Keeps voluntary evictions from taking every runtime pod at once. Desired state only: {@link RuntimeModel}{@code .generatePodDisruptionBudget()}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeLabels.EVERY_RUNTIME))
public class RuntimeDisruptionBudgetDependent extends RuntimeObjectDependent<PodDisruptionBudget> {

  public RuntimeDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget render(RuntimeModel model) {
    return model.generatePodDisruptionBudget();
  }
}
