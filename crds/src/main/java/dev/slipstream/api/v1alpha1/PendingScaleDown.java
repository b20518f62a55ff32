package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * A scale-down the operator's autoscaler has decided on but not made yet: it waits for the wanted
 * replica count to stay lower for {@code spec.runtime.autoscaling.scaleDownStabilization}. Kept in
 * the status so that an operator restart neither forgets the wait nor starts it over.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PendingScaleDown {

  @JsonPropertyDescription("Since when (RFC 3339) the wanted replica count has stayed below the Deployment's.")
  private String since;

  @JsonPropertyDescription("The highest replica count wanted since then: what the runtime is scaled down to once "
      + "scaleDownStabilization has passed.")
  private Integer replicas;

  public PendingScaleDown() {
  }

  public PendingScaleDown(String since, Integer replicas) {
    this.since = since;
    this.replicas = replicas;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }
}
