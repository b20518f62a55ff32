package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * Per-tenant limits, enforced by every runtime pod: caps and timeouts that keep one client (or a
 * hostile one) from using up the tenant's runtime. Every field has a default; the operator writes
 * each one, defaults applied, into the runtime's environment.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
// After defaulting both are always set; has() keeps the rule meaningful on objects read without defaults.
@ValidationRule(value = "!has(self.maxBindingsPerChannel) || !has(self.maxBindingsPerClient) "
    + "|| self.maxBindingsPerChannel <= self.maxBindingsPerClient",
    message = "limits.maxBindingsPerChannel must not exceed limits.maxBindingsPerClient (default 500): "
        + "a channel's bindings count toward its connection's",
    fieldPath = ".maxBindingsPerChannel")
public class LimitsSpec {

  @Default("50000")
  @Min(1)
  @JsonPropertyDescription("Most clients (WebSocket and SSE connections) connected to the tenant at once; one more "
      + "gets HTTP 429 'Too many connected users'. Meant as the tenant's total, but enforced per runtime pod until "
      + "the runtime scales out: today every pod counts only its own clients, so N pods admit up to N times this. "
      + "Supabase: 200, 500 or 10,000 concurrent connections by plan.")
  private Integer maxClients;

  @Default("10000")
  @Min(1)
  @JsonPropertyDescription("The tenant's total of client messages (broadcast and presence) per second; over it the "
      + "channel is closed with 'Too many messages per second'. Enforced per runtime pod until the runtime scales "
      + "out: today every pod enforces it on its own, so N pods accept up to N times this. Each connection also has "
      + "its own share, maxEventsPerSecondPerClient. Supabase: 100, 500 or 2,500 messages per second by plan.")
  private Integer maxEventsPerSecond;

  @Default("100")
  @Min(1)
  @JsonPropertyDescription("Most channels one client connection may join.")
  private Integer maxChannelsPerClient;

  @Default("500")
  @Min(1)
  @JsonPropertyDescription("The tenant's total of channel joins per second; a join over it fails with "
      + "'ClientJoinRateLimitReached: Too many joins per second'. Enforced per runtime pod until the runtime scales "
      + "out: today every pod enforces it on its own, so N pods accept up to N times this. Each connection also has "
      + "its own share, maxJoinsPerSecondPerClient. Supabase: 100, 500 or 2,500 joins per second by plan.")
  private Integer maxJoinsPerSecond;

  @Default("1Mi")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Largest message a client may send, as a quantity such as 256Ki or 1Mi.")
  private Quantity maxPayloadBytes;

  @Default("1Mi")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Bytes the runtime may hold queued for one client whose connection has not taken them "
      + "yet, as a quantity such as 512Ki or 1Mi. Everything the server sends counts: changes, replies, presence, "
      + "system messages and SSE events. A client that stays over it (it stopped reading, or reads far slower than "
      + "the stream) is disconnected, a WebSocket with close code 4000 (reason 'slow client'), so that it cannot "
      + "hold memory or slow the others.")
  private Quantity clientBufferBytes;

  @Default("100")
  @Min(1)
  @JsonPropertyDescription("One connection's share of maxEventsPerSecond: messages per second one connection may "
      + "send (broadcast, presence, heartbeats and any other message but joins), with bursts of up to two seconds' "
      + "worth. A client sending faster is throttled: what it sends beyond its share gets the error reply 'Too many "
      + "messages per second', and the runtime stops reading its socket until its share refills, so one client "
      + "cannot use up the tenant's rate. Supabase has only the tenant-wide rate.")
  private Integer maxEventsPerSecondPerClient;

  @Default("10")
  @Min(1)
  @JsonPropertyDescription("One connection's share of maxJoinsPerSecond: channel joins per second one connection "
      + "may make, with a burst of up to maxChannelsPerClient joins (a reconnecting client rejoins all its channels "
      + "at once). A client joining faster is throttled: its joins beyond its share fail with "
      + "'ClientJoinRateLimitReached: Too many joins per second', and the runtime stops reading its socket until its "
      + "share refills. Supabase has only the tenant-wide rate.")
  private Integer maxJoinsPerSecondPerClient;

  @Default("1Mi")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Bytes per second the runtime reads from one client connection, with bursts of twice "
      + "that, as a quantity such as 512Ki or 1Mi (at most 2Gi - 1). Beyond it the runtime pauses reading, so TCP "
      + "backpressure slows the client down; this bounds the work one client can cause. Supabase has no "
      + "comparable limit.")
  private Quantity clientInboundBytesPerSecond;

  @Default("100")
  @Min(1)
  @JsonPropertyDescription("Most postgres_changes bindings in one channel join; a join with more fails with "
      + "'BindingLimitReached: ...'. At most maxBindingsPerClient.")
  private Integer maxBindingsPerChannel;

  @Default("500")
  @Min(1)
  @JsonPropertyDescription("Most postgres_changes bindings over all channels of one client connection; a join that "
      + "would take the connection over it fails with 'BindingLimitReached: ...'.")
  private Integer maxBindingsPerClient;

  @Default("4096")
  @Min(1)
  @JsonPropertyDescription("Most characters in one postgres_changes filter string (and an SSE request's filter "
      + "parameter); a longer one fails the join, or the SSE request with HTTP 400, as an invalid filter.")
  private Integer maxFilterLength;

  @Default("100")
  @Min(1)
  @JsonPropertyDescription("Most values in one in.(...) filter; a filter with more fails the join, or the SSE "
      + "request with HTTP 400, as an invalid filter. Supabase documents the same limit of 100.")
  private Integer maxFilterValues;

  @Default("256")
  @Min(1)
  @JsonPropertyDescription("Most characters in a channel topic; a join to a longer one fails with "
      + "'TopicNameTooLong: ...'.")
  private Integer maxTopicLength;

  @Default("10Ki")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Largest presence track payload, measured as its JSON, as a quantity such as 10Ki "
      + "(at most 2Gi - 1); a larger track closes the channel with Supabase's 'Track message size exceeded'. "
      + "Every member's payload is sent to every joiner in presence_state, so this also bounds that message.")
  private Quantity maxPresencePayloadBytes;

  @Default("10")
  @Min(1)
  @JsonPropertyDescription("Most channels of one client connection that may track presence at once; another track "
      + "gets an error reply 'PresenceLimitReached: ...'. Supabase limits presence by rate instead (20, 50 or 1,000 "
      + "presence messages per second by plan).")
  private Integer maxPresencesPerClient;

  @Default("10s")
  @Pattern(Patterns.DURATION)
  @Size(max = 32)
  @ValidationRule(value = Patterns.NONZERO_DURATION_RULE, message = Patterns.NONZERO_DURATION_MESSAGE)
  @JsonPropertyDescription("Time a new connection, and a kept-alive HTTP connection between requests, has to send a "
      + "complete HTTP request; otherwise it gets HTTP 408 and is closed. A duration such as 10s.")
  private String handshakeTimeout;

  @Default("30s")
  @Pattern(Patterns.DURATION)
  @Size(max = 32)
  @ValidationRule(value = Patterns.NONZERO_DURATION_RULE, message = Patterns.NONZERO_DURATION_MESSAGE)
  @JsonPropertyDescription("Time an upgraded WebSocket has to join its first channel; otherwise it is closed with "
      + "WebSocket close code 4002. realtime-js opens its socket when a channel subscribes, so it joins at once. "
      + "A duration such as 30s.")
  private String joinTimeout;

  @Default("60s")
  @Pattern(Patterns.DURATION)
  @Size(max = 32)
  @ValidationRule(value = Patterns.NONZERO_DURATION_RULE, message = Patterns.NONZERO_DURATION_MESSAGE)
  @JsonPropertyDescription("Time a WebSocket may send no frame at all (no message, not even a heartbeat or a ping); "
      + "then it is closed with close code 4001. Keep it above the clients' heartbeat interval: realtime-js sends one every "
      + "25 s. Phoenix, and so Supabase, also closes a silent socket after 60 s. A duration such as 60s.")
  private String idleTimeout;

  public Integer getMaxClients() {
    return maxClients;
  }

  public void setMaxClients(Integer maxClients) {
    this.maxClients = maxClients;
  }

  public Integer getMaxEventsPerSecond() {
    return maxEventsPerSecond;
  }

  public void setMaxEventsPerSecond(Integer maxEventsPerSecond) {
    this.maxEventsPerSecond = maxEventsPerSecond;
  }

  public Integer getMaxChannelsPerClient() {
    return maxChannelsPerClient;
  }

  public void setMaxChannelsPerClient(Integer maxChannelsPerClient) {
    this.maxChannelsPerClient = maxChannelsPerClient;
  }

  public Integer getMaxJoinsPerSecond() {
    return maxJoinsPerSecond;
  }

  public void setMaxJoinsPerSecond(Integer maxJoinsPerSecond) {
    this.maxJoinsPerSecond = maxJoinsPerSecond;
  }

  public Quantity getMaxPayloadBytes() {
    return maxPayloadBytes;
  }

  public void setMaxPayloadBytes(Quantity maxPayloadBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
  }

  public Quantity getClientBufferBytes() {
    return clientBufferBytes;
  }

  public void setClientBufferBytes(Quantity clientBufferBytes) {
    this.clientBufferBytes = clientBufferBytes;
  }

  public Integer getMaxEventsPerSecondPerClient() {
    return maxEventsPerSecondPerClient;
  }

  public void setMaxEventsPerSecondPerClient(Integer maxEventsPerSecondPerClient) {
    this.maxEventsPerSecondPerClient = maxEventsPerSecondPerClient;
  }

  public Integer getMaxJoinsPerSecondPerClient() {
    return maxJoinsPerSecondPerClient;
  }

  public void setMaxJoinsPerSecondPerClient(Integer maxJoinsPerSecondPerClient) {
    this.maxJoinsPerSecondPerClient = maxJoinsPerSecondPerClient;
  }

  public Quantity getClientInboundBytesPerSecond() {
    return clientInboundBytesPerSecond;
  }

  public void setClientInboundBytesPerSecond(Quantity clientInboundBytesPerSecond) {
    this.clientInboundBytesPerSecond = clientInboundBytesPerSecond;
  }

  public Integer getMaxBindingsPerChannel() {
    return maxBindingsPerChannel;
  }

  public void setMaxBindingsPerChannel(Integer maxBindingsPerChannel) {
    this.maxBindingsPerChannel = maxBindingsPerChannel;
  }

  public Integer getMaxBindingsPerClient() {
    return maxBindingsPerClient;
  }

  public void setMaxBindingsPerClient(Integer maxBindingsPerClient) {
    this.maxBindingsPerClient = maxBindingsPerClient;
  }

  public Integer getMaxFilterLength() {
    return maxFilterLength;
  }

  public void setMaxFilterLength(Integer maxFilterLength) {
    this.maxFilterLength = maxFilterLength;
  }

  public Integer getMaxFilterValues() {
    return maxFilterValues;
  }

  public void setMaxFilterValues(Integer maxFilterValues) {
    this.maxFilterValues = maxFilterValues;
  }

  public Integer getMaxTopicLength() {
    return maxTopicLength;
  }

  public void setMaxTopicLength(Integer maxTopicLength) {
    this.maxTopicLength = maxTopicLength;
  }

  public Quantity getMaxPresencePayloadBytes() {
    return maxPresencePayloadBytes;
  }

  public void setMaxPresencePayloadBytes(Quantity maxPresencePayloadBytes) {
    this.maxPresencePayloadBytes = maxPresencePayloadBytes;
  }

  public Integer getMaxPresencesPerClient() {
    return maxPresencesPerClient;
  }

  public void setMaxPresencesPerClient(Integer maxPresencesPerClient) {
    this.maxPresencesPerClient = maxPresencesPerClient;
  }

  public String getHandshakeTimeout() {
    return handshakeTimeout;
  }

  public void setHandshakeTimeout(String handshakeTimeout) {
    this.handshakeTimeout = handshakeTimeout;
  }

  public String getJoinTimeout() {
    return joinTimeout;
  }

  public void setJoinTimeout(String joinTimeout) {
    this.joinTimeout = joinTimeout;
  }

  public String getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(String idleTimeout) {
    this.idleTimeout = idleTimeout;
  }
}
