package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeModel;
import io.javaoperatorsdk.operator.api.reconciler.Context;

/**
 * The {@link RuntimeModel} this reconcile rendered ({@link RuntimeModelDependent}), for the
 * Kubernetes dependents after it: each one's {@code desired()} returns one object of the same model.
 */
public final class RuntimeModels {

  private RuntimeModels() {
  }

  /** The model; only the steps after the runtime model's (which is ready only with one) may ask. */
  @SuppressWarnings("rawtypes")
  public static RuntimeModel of(Context<RealtimeTenant> context) {
    Resolved rendered = ObservedDependent.observed(context, RuntimeModelDependent.NAME, Resolved.class).orElse(null);
    if (rendered == null || !(rendered.value() instanceof RuntimeModel model)) {
      throw new IllegalStateException("the runtime model was not rendered in this reconcile");
    }
    return model;
  }
}
