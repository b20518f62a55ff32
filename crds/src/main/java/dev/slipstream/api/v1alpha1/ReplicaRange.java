package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.model.annotation.SpecReplicas;

/**
 * Lower and upper bound on the runtime's replica count, and the count an external scaler wants
 * ({@code desired}, the tenant's scale subresource).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
// A static message: a messageExpression printing both numbers exceeds the API server's CEL cost budget.
@ValidationRule(value = "self.min <= self.max", message = "replicas.min must not exceed replicas.max")
// Refused rather than clamped: kubectl scale (or a HorizontalPodAutoscaler, in its status) then says at once why.
@ValidationRule(value = "!has(self.desired) || (self.min <= self.desired && self.desired <= self.max)",
    message = "replicas.desired must lie within replicas.min..replicas.max (lower min or raise max first)",
    fieldPath = ".desired")
public class ReplicaRange {

  @Default("1")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Fewest runtime pods, also while no client is connected (mode Operator); replicas.desired "
      + "may not be lower (mode External).")
  private Integer min;

  @Default("10")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most runtime pods: the operator never runs more for any number of clients (mode "
      + "Operator; lowering it scales down at once), and replicas.desired may not be higher (mode External).")
  private Integer max;

  @Min(1)
  @Max(1000)
  @SpecReplicas
  @JsonPropertyDescription("The runtime pods wanted by an external scaler, with autoscaling.mode External only: "
      + "the tenant's scale subresource reads and writes this field, so `kubectl scale rtt/<name> --replicas=3` or "
      + "a HorizontalPodAutoscaler targeting the tenant sets it, and the operator gives the runtime Deployment this "
      + "many replicas. Required with mode External (the count to run until the scaler changes it) and refused "
      + "with mode Operator, where the operator sizes the runtime from its clients: there `kubectl scale` fails "
      + "naming this rule. Must lie within min..max; a value outside is refused, not clamped.")
  private Integer desired;

  public ReplicaRange() {
  }

  public ReplicaRange(Integer min, Integer max) {
    this.min = min;
    this.max = max;
  }

  public Integer getMin() {
    return min;
  }

  public void setMin(Integer min) {
    this.min = min;
  }

  public Integer getDesired() {
    return desired;
  }

  public void setDesired(Integer desired) {
    this.desired = desired;
  }

  public Integer getMax() {
    return max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }
}
