package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * The two text serializers of Phoenix (and realtime-js): {@code 1.0.0} writes
 * {@code {"join_ref","ref","topic","event","payload"}} objects, {@code 2.0.0} (realtime-js's
 * default) writes {@code [join_ref, ref, topic, event, payload]} arrays.
 */
public enum PhoenixSerializer {
  V1("1.0.0"),
  V2("2.0.0");

  /**
   * Floating-point numbers are read as BigDecimal, not double: a client's {@code 1e400} would
   * otherwise become an infinite double, written back as the string {@code "Infinity"} in what is
   * relayed to other clients (found with the fuzz target's round-trip check, docs/fuzzing.md).
   */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  private final String vsn;

  PhoenixSerializer(String vsn) {
    this.vsn = vsn;
  }

  public String vsn() {
    return vsn;
  }

  /** The serializer for a {@code vsn} query parameter; 1.0.0 when absent, as Phoenix assumes. */
  public static PhoenixSerializer forVsn(String vsn) {
    if (vsn == null || vsn.equals("1.0.0")) {
      return V1;
    }
    if (vsn.equals("2.0.0")) {
      return V2;
    }
    throw new IllegalArgumentException("unsupported serializer vsn '" + vsn + "' (supported: 1.0.0, 2.0.0)");
  }

  /** Parses a text frame; throws {@link IllegalArgumentException} saying what is wrong with it. */
  public PhoenixMessage decode(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + e.getOriginalMessage());
    }
    if (this == V2) {
      if (node == null || !node.isArray() || node.size() != 5) {
        throw new IllegalArgumentException("expected [join_ref, ref, topic, event, payload]");
      }
      return message(node.get(0), node.get(1), node.get(2), node.get(3), node.get(4));
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("expected {\"topic\", \"event\", \"payload\", \"ref\", \"join_ref\"}");
    }
    return message(node.get("join_ref"), node.get("ref"), node.get("topic"), node.get("event"), node.get("payload"));
  }

  public byte[] encode(PhoenixMessage message) {
    try {
      if (this == V2) {
        ArrayNode array = JSON.createArrayNode();
        array.add(message.joinRef());
        array.add(message.ref());
        array.add(message.topic());
        array.add(message.event());
        array.add(message.payload());
        return JSON.writeValueAsBytes(array);
      }
      ObjectNode object = JSON.createObjectNode();
      object.put("event", message.event());
      object.set("payload", message.payload());
      object.put("ref", message.ref());
      object.put("topic", message.topic());
      if (message.joinRef() != null) {
        object.put("join_ref", message.joinRef());
      }
      return JSON.writeValueAsBytes(object);
    } catch (Exception e) {
      throw new IllegalStateException("cannot encode " + message, e);
    }
  }

  /**
   * The bytes around a shared {@code data} JSON in a postgres_changes push, so that the push for
   * many channels on the same topic is {@code prefix + data + suffix} with data serialised once.
   * The payload also carries the change's {@code position} (beyond Supabase; realtime-js ignores
   * it), which a rejoin can name in {@code config.resume_after}.
   */
  public byte[][] pushEnvelope(String topic, String event, String idsJson, String position) {
    String quotedTopic = quote(topic);
    String quotedEvent = quote(event);
    String positionField = position == null ? "" : ",\"position\":" + quote(position);
    if (this == V2) {
      return new byte[][] {
          ("[null,null," + quotedTopic + "," + quotedEvent + ",{\"ids\":" + idsJson + ",\"data\":")
              .getBytes(StandardCharsets.UTF_8),
          (positionField + "}]").getBytes(StandardCharsets.UTF_8)};
    }
    return new byte[][] {
        ("{\"event\":" + quotedEvent + ",\"payload\":{\"ids\":" + idsJson + ",\"data\":").getBytes(StandardCharsets.UTF_8),
        (positionField + "},\"ref\":null,\"topic\":" + quotedTopic + "}").getBytes(StandardCharsets.UTF_8)};
  }

  /**
   * The bytes around a payload object for a push of {@code event} to {@code topic} with no refs:
   * the push is {@code prefix + payload JSON + suffix}.
   */
  public byte[][] pushEnvelopeFor(String topic, String event) {
    String quotedTopic = quote(topic);
    String quotedEvent = quote(event);
    if (this == V2) {
      return new byte[][] {("[null,null," + quotedTopic + "," + quotedEvent + ",").getBytes(StandardCharsets.UTF_8),
          "]".getBytes(StandardCharsets.UTF_8)};
    }
    return new byte[][] {("{\"event\":" + quotedEvent + ",\"payload\":").getBytes(StandardCharsets.UTF_8),
        (",\"ref\":null,\"topic\":" + quotedTopic + "}").getBytes(StandardCharsets.UTF_8)};
  }

  /**
   * {@code text} as a JSON string, escaped as Jackson's generator escapes it. Called a few times per
   * join: the string encoder makes only the result, where {@code writeValueAsString} made a
   * generator, a serializer provider and a writer (about 400 bytes of garbage a call, 1.4 KB per
   * join, which made the heap grow while thousands of clients join at once).
   */
  static String quote(String text) {
    char[] escaped = JsonStringEncoder.getInstance().quoteAsString(text);
    return new StringBuilder(escaped.length + 2).append('"').append(escaped).append('"').toString();
  }

  private static PhoenixMessage message(JsonNode joinRef, JsonNode ref, JsonNode topic, JsonNode event, JsonNode payload) {
    if (topic == null || !topic.isTextual() || event == null || !event.isTextual()) {
      throw new IllegalArgumentException("topic and event must be strings");
    }
    return new PhoenixMessage(text(joinRef), text(ref), topic.asText(), event.asText(),
        payload == null || payload.isNull() ? JSON.createObjectNode() : payload);
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }
}
