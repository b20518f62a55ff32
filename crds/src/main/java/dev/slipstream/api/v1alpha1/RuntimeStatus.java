package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.model.annotation.LabelSelector;
import io.fabric8.kubernetes.model.annotation.StatusReplicas;
import java.util.ArrayList;
import java.util.List;

/**
 * The tenant's runtime pods, as the operator and the pods themselves report them. Every field but
 * {@code pods} is the operator's (field manager {@code slipstream-operator-runtime}); each entry of
 * {@code pods} belongs to the pod it names.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeStatus {

  @StatusReplicas
  @JsonPropertyDescription("Runtime pods the Deployment has (its status.replicas); the scale subresource's "
      + "status.replicas.")
  private Integer replicas;

  @JsonPropertyDescription("Runtime pods ready to serve clients (the Deployment's status.readyReplicas).")
  private Integer readyReplicas;

  @JsonPropertyDescription("The pod whose entry in pods says role Leader: the one streaming from the slot. When "
      + "several say so (a hand-over), the one that reported most recently.")
  private String leader;

  @JsonPropertyDescription("Clients connected over all live runtime pods: the sum of their entries' clients. What "
      + "autoscaling.mode Operator sizes the runtime by.")
  private Long connectedClients;

  @LabelSelector
  @JsonPropertyDescription("Label selector of the runtime pods, as a string: the scale subresource's "
      + "status.selector, by which a HorizontalPodAutoscaler finds the pods.")
  private String selector;

  @JsonPropertyDescription("A scale-down waiting for scaleDownStabilization (autoscaling.mode Operator); absent "
      + "when none is waiting.")
  private PendingScaleDown pendingScaleDown;

  @JsonPropertyDescription("One entry per runtime pod, written by that pod (server-side apply under its own field "
      + "manager, keyed by name). The operator removes the entry of a pod that no longer exists, or that has not "
      + "reported for longer than the operator's SLIPSTREAM_RUNTIME_REPORT_TIMEOUT (15s by default).")
  @MapListKey("name")
  private List<RuntimePodStatus> pods = new ArrayList<>();

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getLeader() {
    return leader;
  }

  public void setLeader(String leader) {
    this.leader = leader;
  }

  public Long getConnectedClients() {
    return connectedClients;
  }

  public void setConnectedClients(Long connectedClients) {
    this.connectedClients = connectedClients;
  }

  public String getSelector() {
    return selector;
  }

  public void setSelector(String selector) {
    this.selector = selector;
  }

  public PendingScaleDown getPendingScaleDown() {
    return pendingScaleDown;
  }

  public void setPendingScaleDown(PendingScaleDown pendingScaleDown) {
    this.pendingScaleDown = pendingScaleDown;
  }

  public List<RuntimePodStatus> getPods() {
    return pods;
  }

  public void setPods(List<RuntimePodStatus> pods) {
    this.pods = pods;
  }
}
