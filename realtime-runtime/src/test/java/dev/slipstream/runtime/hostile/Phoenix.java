package dev.slipstream.runtime.hostile;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;

/** Phoenix vsn 2.0.0 messages ({@code [join_ref, ref, topic, event, payload]}) and their replies. */
public final class Phoenix {

  public static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Phoenix() {
  }

  public static String message(String joinRef, String ref, String topic, String event, JsonNode payload) {
    ArrayNode array = NODES.arrayNode();
    array.add(joinRef);
    array.add(ref);
    array.add(topic);
    array.add(event);
    array.add(payload);
    return array.toString();
  }

  /** A join of {@code topic} with {@code config} as the payload's config. */
  public static String join(String joinRef, String topic, ObjectNode config) {
    return message(joinRef, joinRef, topic, "phx_join", NODES.objectNode().set("config", config));
  }

  public static String heartbeat(String ref) {
    return message(null, ref, "phoenix", "heartbeat", NODES.objectNode());
  }

  public static ObjectNode config() {
    return NODES.objectNode();
  }

  /** {@code {"postgres_changes": [binding...]}} for bindings of {@link #binding}. */
  public static ObjectNode postgresChanges(List<ObjectNode> bindings) {
    ObjectNode config = NODES.objectNode();
    ArrayNode array = config.putArray("postgres_changes");
    bindings.forEach(array::add);
    return config;
  }

  public static ObjectNode binding(String event, String schema, String table, String filter) {
    ObjectNode binding = NODES.objectNode().put("event", event).put("schema", schema);
    if (table != null) {
      binding.put("table", table);
    }
    if (filter != null) {
      binding.put("filter", filter);
    }
    return binding;
  }

  public static ObjectNode presence(String key) {
    ObjectNode config = NODES.objectNode();
    config.putObject("presence").put("enabled", true).put("key", key);
    return config;
  }

  public static String track(String joinRef, String ref, String topic, ObjectNode payload) {
    ObjectNode body = NODES.objectNode().put("type", "presence").put("event", "track");
    body.set("payload", payload);
    return message(joinRef, ref, topic, "presence", body);
  }

  public static String broadcast(String joinRef, String ref, String topic, String event, ObjectNode payload) {
    ObjectNode body = NODES.objectNode().put("type", "broadcast").put("event", event);
    body.set("payload", payload);
    return message(joinRef, ref, topic, "broadcast", body);
  }

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError("the server sent something that is not JSON: " + text, e);
    }
  }

  /** The messages (parsed) with this event, optionally on this topic. */
  public static List<JsonNode> events(RawWebSocket ws, String event, String topic) {
    List<JsonNode> found = new ArrayList<>();
    String quoted = "\"" + event + "\"";
    for (RawWebSocket.Message m : ws.messages()) {
      if (m.text().contains(quoted)) {
        JsonNode node = parse(m.text());
        if (node.isArray() && node.size() == 5 && event.equals(node.get(3).asText())
            && (topic == null || topic.equals(node.get(2).asText()))) {
          found.add(node);
        }
      }
    }
    return found;
  }

  /** The {@code phx_reply} to {@code ref}, with the nanos it arrived at, if it has arrived. */
  public static Optional<Timed> reply(RawWebSocket ws, String ref) {
    String quotedRef = "\"" + ref + "\"";
    for (RawWebSocket.Message m : ws.messages()) {
      String text = m.text();
      if (text.contains("\"phx_reply\"") && text.contains(quotedRef)) {
        JsonNode node = parse(text);
        if (node.isArray() && node.size() == 5 && "phx_reply".equals(node.get(3).asText())
            && ref.equals(node.get(1).asText())) {
          return Optional.of(new Timed(m.nanos(), node, text.length()));
        }
      }
    }
    return Optional.empty();
  }

  /** A reply and when it arrived; {@code chars} is the length of the frame's text. */
  public record Timed(long nanos, JsonNode message, int chars) {

    public String status() {
      return message.get(4).path("status").asText();
    }

    /** {@code response.reason}, or the whole response as text when it has none. */
    public String reason() {
      JsonNode response = message.get(4).path("response");
      return response.has("reason") ? response.get("reason").asText() : response.toString();
    }
  }

  /** Waits for the reply to {@code ref}; an {@link AssertionError} saying what was awaited when it does not come. */
  public static Timed awaitReply(RawWebSocket ws, String ref, Duration atMost, String what) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> reply(ws, ref).isPresent());
      return reply(ws, ref).orElseThrow();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no phx_reply to " + what + " (ref " + ref + ") within " + atMost.toMillis() + " ms; "
          + ws.describe());
    }
  }
}
