package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where clients of the tenant connect. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Endpoints {

  @JsonPropertyDescription("WebSocket URL for @supabase/realtime-js (Phoenix channels), inside the cluster.")
  private String websocket;

  @JsonPropertyDescription("Server-Sent Events URL, inside the cluster.")
  private String sse;

  public String getWebsocket() {
    return websocket;
  }

  public void setWebsocket(String websocket) {
    this.websocket = websocket;
  }

  public String getSse() {
    return sse;
  }

  public void setSse(String sse) {
    this.sse = sse;
  }
}
