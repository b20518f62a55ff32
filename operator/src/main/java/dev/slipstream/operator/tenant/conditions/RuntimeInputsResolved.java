package dev.slipstream.operator.tenant.conditions;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeModel;
import dev.slipstream.operator.tenant.dependent.Resolved;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.DetailedCondition;

/**
 * Ready postcondition of the runtime model step: the runtime's desired state could be rendered (its
 * Secrets exist, its spec is valid), so its Kubernetes objects can be applied. Otherwise
 * RuntimeReady=False with the reason (SecretNotFound for the JWT Secret, InvalidSpec), and the
 * objects already there are left as they are.
 *
 * <p>Detail: the model, or why there is none.
 */
public class RuntimeInputsResolved
    implements DetailedCondition<Resolved<RuntimeModel>, RealtimeTenant, Resolved<RuntimeModel>> {

  @Override
  public Result<Resolved<RuntimeModel>> detailedIsMet(DependentResource<Resolved<RuntimeModel>, RealtimeTenant> model,
      RealtimeTenant tenant, Context<RealtimeTenant> context) {
    Resolved<RuntimeModel> rendered = model.getSecondaryResource(tenant, context).orElseThrow();
    return Result.withResult(rendered.found(), rendered);
  }
}
