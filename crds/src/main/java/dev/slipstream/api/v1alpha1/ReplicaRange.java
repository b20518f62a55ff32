package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;

/** Lower and upper bound on the runtime's replica count. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// A static message: a messageExpression printing both numbers exceeds the API server's CEL cost budget.
@ValidationRule(value = "self.min <= self.max", message = "replicas.min must not exceed replicas.max")
public class ReplicaRange {

  @Default("1")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Fewest runtime pods, also while no client is connected.")
  private Integer min;

  @Default("10")
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most runtime pods the autoscaler may run.")
  private Integer max;

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

  public Integer getMax() {
    return max;
  }

  public void setMax(Integer max) {
    this.max = max;
  }
}
