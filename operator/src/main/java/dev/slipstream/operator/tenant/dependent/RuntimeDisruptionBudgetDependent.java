package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.operator.model.RuntimeModel;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/** Keeps voluntary evictions from taking every runtime pod at once. Desired state only: {@link RuntimeModel}{@code .generatePodDisruptionBudget()}. */
public class RuntimeDisruptionBudgetDependent extends RuntimeObjectDependent<PodDisruptionBudget> {

  public RuntimeDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget render(RuntimeModel model) {
    return model.generatePodDisruptionBudget();
  }
}
