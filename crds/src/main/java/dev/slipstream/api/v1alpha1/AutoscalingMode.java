package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who owns the runtime Deployment's replica count. */
public enum AutoscalingMode {
  /** The Slipstream operator, from the tenant's connected clients. */
  @JsonProperty("Operator")
  OPERATOR,
  /** Someone else, for example a HorizontalPodAutoscaler. */
  @JsonProperty("External")
  EXTERNAL
}
