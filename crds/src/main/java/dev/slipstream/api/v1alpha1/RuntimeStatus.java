package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/** The tenant's runtime pods, as the operator and the pods themselves report them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeStatus {

  @JsonPropertyDescription("Runtime pods the Deployment wants.")
  private Integer replicas;

  @JsonPropertyDescription("Runtime pods ready to serve clients.")
  private Integer readyReplicas;

  @JsonPropertyDescription("The pod holding the tenant's Lease: the one streaming from the slot.")
  private String leader;

  @JsonPropertyDescription("Clients connected over all runtime pods.")
  private Long connectedClients;

  @JsonPropertyDescription("One entry per runtime pod, written by that pod (server-side apply, keyed by name).")
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

  public List<RuntimePodStatus> getPods() {
    return pods;
  }

  public void setPods(List<RuntimePodStatus> pods) {
    this.pods = pods;
  }
}
