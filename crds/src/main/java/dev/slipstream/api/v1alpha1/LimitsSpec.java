package dev.slipstream.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

/** Per-tenant limits, enforced by every runtime pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LimitsSpec {

  @Default("50000")
  @Min(1)
  @JsonPropertyDescription("Most clients connected to the tenant at once, over all runtime pods.")
  private Integer maxClients;

  @Default("10000")
  @Min(1)
  @JsonPropertyDescription("Most client messages (broadcast, presence) per second the tenant accepts.")
  private Integer maxEventsPerSecond;

  @Default("100")
  @Min(1)
  @JsonPropertyDescription("Most channels one client connection may join.")
  private Integer maxChannelsPerClient;

  @Default("500")
  @Min(1)
  @JsonPropertyDescription("Most channel joins per second the tenant accepts.")
  private Integer maxJoinsPerSecond;

  @Default("1Mi")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Largest message a client may send, as a quantity such as 256Ki or 1Mi.")
  private Quantity maxPayloadBytes;

  @Default("1Mi")
  @ValidationRule(value = Patterns.POSITIVE_QUANTITY_RULE, message = Patterns.POSITIVE_QUANTITY_MESSAGE)
  @JsonPropertyDescription("Bytes queued for one slow client before it is disconnected (close code 4000, "
      + "reason 'slow client'), so that it cannot hold memory or slow the others.")
  private Quantity clientBufferBytes;

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
}
