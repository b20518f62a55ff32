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
}
