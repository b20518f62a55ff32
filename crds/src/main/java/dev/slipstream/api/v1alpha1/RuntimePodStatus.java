package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** What one runtime pod reports about itself. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimePodStatus {

  @Required
  @JsonPropertyDescription("Pod name; the key of this entry.")
  private String name;

  @JsonPropertyDescription("Clients connected to this pod.")
  private Long clients;

  @JsonPropertyDescription("Channels (topics) joined on this pod.")
  private Long channels;

  @JsonPropertyDescription("Change events this pod dispatched per second, averaged over the last minute.")
  private Double eventsPerSecond;

  @JsonPropertyDescription("Position (LSN) of the last change this pod dispatched.")
  private String lastLsn;

  @JsonPropertyDescription("Milliseconds between the last dispatched change's commit and its dispatch.")
  private Long replicationLagMillis;

  @JsonPropertyDescription("Clients this pod closed because they read too slowly (over clientBufferBytes).")
  private Long slowClientsClosed;

  @JsonPropertyDescription("Leader: this pod holds the tenant's Lease and streams the replication slot, relaying "
      + "every change to the other pods. Follower: it receives the changes from the leader's relay. Starting: no "
      + "leader is known to it yet.")
  private String role;

  @JsonPropertyDescription("Whether the pod serves changes: the leader is streaming from the slot, a follower is "
      + "connected to the leader's relay.")
  private Boolean ready;

  @JsonPropertyDescription("Why the pod is not ready, when it is not.")
  private String problem;

  @JsonPropertyDescription("The leader's view of the slot's lag: bytes of WAL written after the position it last "
      + "confirmed. Leader only.")
  private Long slotLagBytes;

  @JsonPropertyDescription("Where the other pods of the tenant reach this pod's relay (host:port); followers "
      + "connect to the leader's.")
  private String relayAddress;

  @JsonPropertyDescription("When the pod last wrote this entry (RFC 3339). Pods write every few seconds and at once "
      + "when their role changes; the operator removes entries of pods that no longer exist.")
  private String reportedAt;

  public RuntimePodStatus() {
  }

  public RuntimePodStatus(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Long getClients() {
    return clients;
  }

  public void setClients(Long clients) {
    this.clients = clients;
  }

  public Long getChannels() {
    return channels;
  }

  public void setChannels(Long channels) {
    this.channels = channels;
  }

  public Double getEventsPerSecond() {
    return eventsPerSecond;
  }

  public void setEventsPerSecond(Double eventsPerSecond) {
    this.eventsPerSecond = eventsPerSecond;
  }

  public String getLastLsn() {
    return lastLsn;
  }

  public void setLastLsn(String lastLsn) {
    this.lastLsn = lastLsn;
  }

  public Long getReplicationLagMillis() {
    return replicationLagMillis;
  }

  public void setReplicationLagMillis(Long replicationLagMillis) {
    this.replicationLagMillis = replicationLagMillis;
  }

  public Long getSlowClientsClosed() {
    return slowClientsClosed;
  }

  public void setSlowClientsClosed(Long slowClientsClosed) {
    this.slowClientsClosed = slowClientsClosed;
  }

  public String getRole() {
    return role;
  }

  public void setRole(String role) {
    this.role = role;
  }

  public Boolean getReady() {
    return ready;
  }

  public void setReady(Boolean ready) {
    this.ready = ready;
  }

  public String getProblem() {
    return problem;
  }

  public void setProblem(String problem) {
    this.problem = problem;
  }

  public Long getSlotLagBytes() {
    return slotLagBytes;
  }

  public void setSlotLagBytes(Long slotLagBytes) {
    this.slotLagBytes = slotLagBytes;
  }

  public String getRelayAddress() {
    return relayAddress;
  }

  public void setRelayAddress(String relayAddress) {
    this.relayAddress = relayAddress;
  }

  public String getReportedAt() {
    return reportedAt;
  }

  public void setReportedAt(String reportedAt) {
    this.reportedAt = reportedAt;
  }
}
