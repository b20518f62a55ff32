package dev.slipstream.runtime.limits;

/** The limits, as they are named in {@code spec.limits} and in the metrics' tag. */
public enum Limit {
  MAX_CLIENTS("maxClients"),
  MAX_CHANNELS_PER_CLIENT("maxChannelsPerClient"),
  MAX_JOINS_PER_SECOND("maxJoinsPerSecond"),
  MAX_EVENTS_PER_SECOND("maxEventsPerSecond"),
  MAX_PAYLOAD_BYTES("maxPayloadBytes"),
  MAX_BINDINGS_PER_CHANNEL("maxBindingsPerChannel"),
  MAX_BINDINGS_PER_CLIENT("maxBindingsPerClient"),
  MAX_FILTER_LENGTH("maxFilterLength"),
  MAX_FILTER_VALUES("maxFilterValues"),
  MAX_TOPIC_LENGTH("maxTopicLength"),
  MAX_PRESENCE_PAYLOAD_BYTES("maxPresencePayloadBytes"),
  MAX_PRESENCES_PER_CLIENT("maxPresencesPerClient");

  private final String field;

  Limit(String field) {
    this.field = field;
  }

  public String field() {
    return field;
  }
}
