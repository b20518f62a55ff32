package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** The tenant's runtime pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
// Who sets the replica count is decided by autoscaling.mode alone: replicas.desired (the scale
// subresource) exists in mode External and nowhere else, so `kubectl scale` of a tenant the operator
// scales is refused with this message instead of being silently overridden.
@ValidationRule(value = "!has(self.replicas) || !has(self.replicas.desired) || (has(self.autoscaling) "
    + "&& has(self.autoscaling.mode) && self.autoscaling.mode == 'External')",
    message = "replicas.desired (what kubectl scale and a HorizontalPodAutoscaler set) is only for "
        + "autoscaling.mode External; in mode Operator the operator sizes the runtime from its connected clients. "
        + "Set autoscaling.mode to External to scale the tenant from outside, or remove replicas.desired",
    fieldPath = ".replicas.desired")
@ValidationRule(value = "!has(self.autoscaling) || !has(self.autoscaling.mode) || self.autoscaling.mode != 'External' "
    + "|| (has(self.replicas) && has(self.replicas.desired))",
    message = "autoscaling.mode External needs replicas.desired: the runtime pods to run until the external scaler "
        + "(kubectl scale, a HorizontalPodAutoscaler) changes it",
    fieldPath = ".replicas")
public class RuntimeSpec {

  @Size(min = 1, max = 1024)
  @JsonPropertyDescription("Container image of the runtime. When empty the operator's default runtime image is used.")
  private String image;

  // Spelled out rather than {}: the API server checks a default against the CEL rule min <= max
  // without defaulting inside it first.
  @Default("{\"min\": 1, \"max\": 10}")
  @JsonPropertyDescription("Bounds on the number of runtime pods, in both autoscaling modes, and (mode External) "
      + "the number wanted by the external scaler.")
  private ReplicaRange replicas;

  @Default("10000")
  @Min(1)
  @JsonPropertyDescription("Connected clients one runtime pod should carry. With autoscaling.mode Operator the "
      + "operator gives the runtime Deployment ceil(status.runtime.connectedClients / targetClientsPerReplica) "
      + "replicas, clamped to replicas.min..replicas.max; connectedClients is the sum of the clients each live pod "
      + "reports in status.runtime.pods. Not used with mode External.")
  private Integer targetClientsPerReplica;

  @Default("{}")
  @JsonPropertyDescription("Who sets the runtime Deployment's replica count: the operator from the connected "
      + "clients (mode Operator), or an external scaler through the tenant's scale subresource (mode External).")
  private AutoscalingSpec autoscaling;

  @JsonPropertyDescription("CPU and memory requests and limits of the runtime container.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("TLS on the client port (wss://, https://), with the certificate of a Secret. Without "
      + "it the port speaks plain HTTP and WebSocket (terminate TLS in front of it).")
  private RuntimeTlsSpec tls;

  public RuntimeTlsSpec getTls() {
    return tls;
  }

  public void setTls(RuntimeTlsSpec tls) {
    this.tls = tls;
  }

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
