package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The tenant's runtime pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec {

  @Size(min = 1, max = 1024)
  @JsonPropertyDescription("Container image of the runtime. When empty the operator's default runtime image is used.")
  private String image;

  // Spelled out rather than {}: the API server checks a default against the CEL rule min <= max
  // without defaulting inside it first.
  @Default("{\"min\": 1, \"max\": 10}")
  @JsonPropertyDescription("Bounds on the number of runtime pods.")
  private ReplicaRange replicas;

  @Default("10000")
  @Min(1)
  @JsonPropertyDescription("Connected clients one runtime pod should carry; the operator's autoscaler sizes the "
      + "Deployment as ceil(clients / targetClientsPerReplica), clamped to replicas.min..replicas.max.")
  private Integer targetClientsPerReplica;

  @Default("{}")
  @JsonPropertyDescription("Who scales the runtime Deployment.")
  private AutoscalingSpec autoscaling;

  @JsonPropertyDescription("CPU and memory requests and limits of the runtime container.")
  private ResourceRequirements resources;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public ReplicaRange getReplicas() {
    return replicas;
  }

  public void setReplicas(ReplicaRange replicas) {
    this.replicas = replicas;
  }

  public Integer getTargetClientsPerReplica() {
    return targetClientsPerReplica;
  }

  public void setTargetClientsPerReplica(Integer targetClientsPerReplica) {
    this.targetClientsPerReplica = targetClientsPerReplica;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }
}
