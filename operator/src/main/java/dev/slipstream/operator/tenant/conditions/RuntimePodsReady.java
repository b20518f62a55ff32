package dev.slipstream.operator.tenant.conditions;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.tenant.dependent.RuntimeModels;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.DetailedCondition;

/**
 * Ready postcondition of the Deployment: at least {@code spec.runtime.replicas.min} runtime pods are
 * ready (the Deployment's {@code readyReplicas}, which their {@code /readyz} probe drives). Otherwise
 * RuntimeReady=False, reason Reconciling, "1 of 2 runtime pod(s) ready". Nothing waits on it: the
 * Deployment is the last step.
 *
 * <p>Detail: how many pods are ready.
 */
public class RuntimePodsReady implements DetailedCondition<Deployment, RealtimeTenant, Integer> {

  @Override
  public Result<Integer> detailedIsMet(DependentResource<Deployment, RealtimeTenant> deployment, RealtimeTenant tenant,
      Context<RealtimeTenant> context) {
    int ready = deployment.getSecondaryResource(tenant, context)
        .map(d -> d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas())
        .orElse(0);
    return Result.withResult(ready >= RuntimeModels.of(context).minReplicas(), ready);
  }
}
