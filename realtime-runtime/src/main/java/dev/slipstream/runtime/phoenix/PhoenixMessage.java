package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One Phoenix Channels message: {@code join_ref}, {@code ref}, {@code topic}, {@code event},
 * {@code payload}. The same five fields are an object in serializer 1.0.0 and an array in 2.0.0.
 */
public record PhoenixMessage(String joinRef, String ref, String topic, String event, JsonNode payload) {

  public static final String HEARTBEAT = "heartbeat";
  public static final String JOIN = "phx_join";
  public static final String LEAVE = "phx_leave";
  public static final String REPLY = "phx_reply";
  public static final String ERROR = "phx_error";
  public static final String CLOSE = "phx_close";
  public static final String ACCESS_TOKEN = "access_token";
  public static final String SYSTEM = "system";
  public static final String POSTGRES_CHANGES = "postgres_changes";
  public static final String PHOENIX_TOPIC = "phoenix";
  public static final String BROADCAST = "broadcast";
  public static final String PRESENCE = "presence";
  public static final String PRESENCE_STATE = "presence_state";
  public static final String PRESENCE_DIFF = "presence_diff";
  /** The prefix of every channel topic realtime-js joins. */
  public static final String TOPIC_PREFIX = "realtime:";
}
