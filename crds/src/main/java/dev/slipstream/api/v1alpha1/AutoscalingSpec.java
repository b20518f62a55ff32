package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Who scales the runtime and how cautiously. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalingSpec {

  @Default("Operator")
  @JsonPropertyDescription("Operator: the operator scales the runtime Deployment to ceil(connectedClients / "
      + "targetClientsPerReplica) replicas within replicas.min..replicas.max, up at once and down only after "
      + "scaleDownStabilization, and records each decision as an Event on the tenant; replicas.desired is refused. "
      + "External: the Deployment gets replicas.desired, which an external scaler sets through the tenant's scale "
      + "subresource (kubectl scale rtt/<name> --replicas=3, or a HorizontalPodAutoscaler whose scaleTargetRef names "
      + "the tenant; status.runtime.selector finds its pods).")
  private AutoscalingMode mode;

  @Default("5m")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("Mode Operator: how long the wanted replica count must stay below the current one "
      + "before the operator scales down, to the highest count wanted during that time (scale-up is immediate). "
      + "The wait survives an operator restart: it is recorded in status.runtime.pendingScaleDown. A scale-down "
      + "also waits while a ready runtime pod has not reported its clients. A duration such as 5m; 0s scales down "
      + "at once.")
  private String scaleDownStabilization;

  public AutoscalingMode getMode() {
    return mode;
  }

  public void setMode(AutoscalingMode mode) {
    this.mode = mode;
  }

  public String getScaleDownStabilization() {
    return scaleDownStabilization;
  }

  public void setScaleDownStabilization(String scaleDownStabilization) {
    this.scaleDownStabilization = scaleDownStabilization;
  }
}
