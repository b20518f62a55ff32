package dev.slipstream.operator.model;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;

/**
 * The PodDisruptionBudget {@code <tenant>-runtime}: voluntary disruptions (node drains) take at
 * most one runtime pod at a time, so clients reconnect to the survivors in small waves.
 *
 * <p>Built for every tenant, also when {@code replicas.max} is 1: {@code maxUnavailable: 1} never
 * blocks draining a node that runs a tenant's only pod (unlike {@code minAvailable: 1}, which
 * would block it forever), so one shape fits every replica range, the workflow needs no condition
 * for it, and raising {@code max} or the autoscaler adding pods needs no new object.
 */
final class RuntimeDisruptionBudget {

  /**
   * Pods that are not ready (waiting for the database, crash-looping) may always be evicted: they
   * serve no client, and counting them would let a broken tenant block node drains.
   */
  static final String UNHEALTHY_POD_EVICTION_POLICY = "AlwaysAllow";

  private RuntimeDisruptionBudget() {
  }

  static PodDisruptionBudget build(RuntimeModel model) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(model.metadata(model.names().runtime()))
        .withNewSpec()
          .withMaxUnavailable(new IntOrString(1))
          .withUnhealthyPodEvictionPolicy(UNHEALTHY_POD_EVICTION_POLICY)
          .withNewSelector()
            .withMatchLabels(RuntimeLabels.selector(model.tenantName()))
          .endSelector()
        .endSpec()
        .build();
  }
}
