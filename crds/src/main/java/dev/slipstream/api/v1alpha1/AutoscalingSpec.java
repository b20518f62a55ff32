package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Who scales the runtime and how cautiously. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalingSpec {

  @Default("Operator")
  @JsonPropertyDescription("Operator: the operator scales the runtime from the connected clients in the status. "
      + "External: the operator leaves the replica count to an external scaler (for example a HorizontalPodAutoscaler).")
  private AutoscalingMode mode;

  @Default("5m")
  @Pattern(Patterns.DURATION)
  @JsonPropertyDescription("How long the wanted replica count must stay lower before the operator scales down "
      + "(scale-up is immediate). A duration such as 5m.")
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
