package dev.slipstream.operator.model;

import dev.slipstream.api.v1alpha1.AutoscalingMode;
import dev.slipstream.api.v1alpha1.AutoscalingSpec;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.ReplicaRange;
import dev.slipstream.api.v1alpha1.RuntimeSpec;
import java.time.Duration;

/**
 * How a tenant's runtime is scaled, from {@code spec.runtime} with the CRD's defaults applied (a
 * tenant built in code, or stored before a default existed, reads the same as one the API server
 * defaulted).
 *
 * @param mode who sets the replica count
 * @param min {@code replicas.min}
 * @param max {@code replicas.max}, never below {@code min}
 * @param desired {@code replicas.desired}: what an external scaler wants (mode External); null when unset
 * @param targetClientsPerReplica clients one pod should carry (mode Operator)
 * @param scaleDownStabilization how long the wanted count must stay lower before a scale-down (mode Operator)
 */
public record RuntimeScaling(AutoscalingMode mode, int min, int max, Integer desired, int targetClientsPerReplica,
    Duration scaleDownStabilization) {

  static final int DEFAULT_TARGET_CLIENTS_PER_REPLICA = 10_000;
  static final Duration DEFAULT_SCALE_DOWN_STABILIZATION = Duration.ofMinutes(5);


  /**
   * @throws InvalidTenantException naming the field, when {@code scaleDownStabilization} is not a
   *     duration (the CRD's pattern keeps such a value out; this guards tenants built otherwise)
   */
  public static RuntimeScaling of(RealtimeTenant tenant) {
    RuntimeSpec runtime = tenant.getSpec() == null || tenant.getSpec().getRuntime() == null ? new RuntimeSpec()
        : tenant.getSpec().getRuntime();
    ReplicaRange replicas = runtime.getReplicas() == null ? new ReplicaRange() : runtime.getReplicas();
    int min = replicas.getMin() == null ? RuntimeModel.DEFAULT_MIN_REPLICAS : Math.max(1, replicas.getMin());
    int max = replicas.getMax() == null ? Math.max(RuntimeModel.DEFAULT_MAX_REPLICAS, min) : Math.max(min, replicas.getMax());
    AutoscalingSpec autoscaling = runtime.getAutoscaling() == null ? new AutoscalingSpec() : runtime.getAutoscaling();
    AutoscalingMode mode = autoscaling.getMode() == null ? AutoscalingMode.OPERATOR : autoscaling.getMode();
    int target = runtime.getTargetClientsPerReplica() == null || runtime.getTargetClientsPerReplica() < 1
        ? DEFAULT_TARGET_CLIENTS_PER_REPLICA : runtime.getTargetClientsPerReplica();
    Duration window = autoscaling.getScaleDownStabilization() == null ? DEFAULT_SCALE_DOWN_STABILIZATION
        : duration("spec.runtime.autoscaling.scaleDownStabilization", autoscaling.getScaleDownStabilization());
    return new RuntimeScaling(mode, min, max, replicas.getDesired(), target, window);
  }

  /** {@code n} clamped to {@code min..max}. */
  public int clamp(long n) {
    return (int) Math.max(min, Math.min(max, n));
  }

  /** Pods wanted for that many clients before the bounds: {@code ceil(clients / targetClientsPerReplica)}. */
  public long podsFor(long clients) {
    return clients <= 0 ? 0 : (clients + targetClientsPerReplica - 1) / targetClientsPerReplica;
  }

  /** A duration as the CRD writes them ({@code 30s}, {@code 5m}, {@code 1m30s}, {@code 500ms}); zero allowed. */
  static Duration duration(String field, String text) {
    try {
      return dev.slipstream.runtime.config.DurationText.parse(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidTenantException(field + " must be a duration such as 30s, 5m or 1m30s, was '" + text + "'");
    }
  }
}
