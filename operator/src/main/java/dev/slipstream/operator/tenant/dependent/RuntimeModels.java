package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeModel;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * Hands the {@link RuntimeModel} the reconciler computed to the dependents. The tenant's workflow
 * is invoked explicitly, after the database and the slot are ready and the model is stored, so
 * every dependent's {@code desired()} reads the same model.
 */
public final class RuntimeModels {

  private static final String KEY = RuntimeModel.class.getName();

  private RuntimeModels() {
  }

  public static void put(Context<RealtimeTenant> context, RuntimeModel model) {
    context.managedWorkflowAndDependentResourceContext().put(KEY, model);
  }

  public static RuntimeModel of(Context<RealtimeTenant> context) {
    return context.managedWorkflowAndDependentResourceContext().getMandatory(KEY, RuntimeModel.class);
  }
}
