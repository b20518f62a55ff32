package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The messages pods exchange about presence, as JSON (metas are JSON already; presence changes are
 * few beside the change stream). Each is one object with {@code t}, its kind:
 *
 * <ul>
 *   <li>{@code diff}: {@code pod}, {@code topic} (a topic key, {@code public|<topic>} or
 *       {@code private|<topic>}), {@code joins} and {@code leaves} ({@code {key: [meta...]}}): metas
 *       of that pod that joined or left;</li>
 *   <li>{@code begin}, {@code state}* ({@code pod}, {@code topic}, {@code joins}), {@code end}: a sync,
 *       the pod's whole state, replacing what the receiver had of it;</li>
 *   <li>{@code view}: from the leader, after the syncs of every pod it knows; pods it did not name are gone.</li>
 * </ul>
 *
 * Large states and diffs are cut into messages of about {@value #CHUNK_BYTES} bytes (and one meta
 * more), so a relay frame stays small and the relay never holds a huge one.
 */
final class PresenceMessages {

  static final int CHUNK_BYTES = 32 * 1024;
  /** Everything of a message besides its metas, with room to spare. */
  static final int ENVELOPE_BYTES = 2048;

  static final String DIFF = "diff";
  static final String BEGIN = "begin";
  static final String STATE = "state";
  static final String END = "end";
  static final String VIEW = "view";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A decoded message; {@code diff} holds a diff's or a state's metas (a state has no leaves). */
  record Message(String kind, String pod, TopicPresenceDiff diff) {
  }

  private PresenceMessages() {
  }

  /** The largest message a pod sends: a chunk, plus the largest meta a client may track. */
  static int maxMessageBytes(int maxPresencePayloadBytes) {
    return CHUNK_BYTES + 2 * maxPresencePayloadBytes + ENVELOPE_BYTES;
  }

  static List<byte[]> diff(String pod, TopicPresenceDiff diff) {
    return chunks(DIFF, pod, diff);
  }

  /** A whole sync: begin, the state of each topic, end. */
  static List<byte[]> sync(String pod, Map<String, Map<String, List<ObjectNode>>> state) {
    List<byte[]> messages = new ArrayList<>();
    messages.add(bare(BEGIN, pod));
    state.forEach((topicKey, metas) ->
        messages.addAll(chunks(STATE, pod, new TopicPresenceDiff(topicKey, metas, Map.of()))));
    messages.add(bare(END, pod));
    return messages;
  }

  static byte[] view() {
    return bare(VIEW, null);
  }

  static Message decode(byte[] message) {
    JsonNode node;
    try {
      node = JSON.readTree(message);
    } catch (IOException e) {
      throw new IllegalArgumentException("a presence message that is not JSON: " + e.getMessage());
    }
    String kind = node.path("t").asText("");
    String pod = node.path("pod").isTextual() ? node.get("pod").asText() : null;
    return switch (kind) {
      case VIEW -> new Message(kind, null, null);
      case BEGIN, END -> new Message(kind, required(pod, kind), null);
      case DIFF, STATE -> {
        String topic = node.path("topic").asText("");
        if (!topic.startsWith("public|") && !topic.startsWith("private|")) {
          throw new IllegalArgumentException("a presence " + kind + " names no topic key");
        }
        yield new Message(kind, required(pod, kind), new TopicPresenceDiff(topic, metas(node.path("joins")),
            metas(node.path("leaves"))));
      }
      default -> throw new IllegalArgumentException("an unknown presence message kind '" + kind + "'");
    };
  }

  private static String required(String pod, String kind) {
    if (pod == null || pod.isEmpty()) {
      throw new IllegalArgumentException("a presence " + kind + " names no pod");
    }
    return pod;
  }

  private static Map<String, List<ObjectNode>> metas(JsonNode node) {
    Map<String, List<ObjectNode>> out = new LinkedHashMap<>();
    node.properties().forEach(entry -> entry.getValue().forEach(meta -> {
      if (meta.isObject()) {
        out.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add((ObjectNode) meta);
      }
    }));
    return out;
  }

  /** The diff cut into messages of about {@value #CHUNK_BYTES} bytes of metas each; at least one. */
  private static List<byte[]> chunks(String kind, String pod, TopicPresenceDiff diff) {
    List<byte[]> out = new ArrayList<>();
    ObjectNode message = open(kind, pod, diff.topicKey());
    int size = 0;
    for (boolean joining : new boolean[] {true, false}) {
      for (Map.Entry<String, List<ObjectNode>> entry : (joining ? diff.joins() : diff.leaves()).entrySet()) {
        for (ObjectNode meta : entry.getValue()) {
          int metaBytes = utf8Length(meta.toString()) + utf8Length(entry.getKey()) + 8;
          if (size > 0 && size + metaBytes > CHUNK_BYTES) {
            out.add(bytes(message));
            message = open(kind, pod, diff.topicKey());
            size = 0;
          }
          ((ObjectNode) message.get(joining ? "joins" : "leaves")).withArrayProperty(entry.getKey()).add(meta);
          size += metaBytes;
        }
      }
    }
    out.add(bytes(message));
    return out;
  }

  private static ObjectNode open(String kind, String pod, String topicKey) {
    ObjectNode message = JSON.createObjectNode().put("t", kind).put("pod", pod).put("topic", topicKey);
    message.putObject("joins");
    message.putObject("leaves");
    return message;
  }

  private static byte[] bare(String kind, String pod) {
    ObjectNode message = JSON.createObjectNode().put("t", kind);
    if (pod != null) {
      message.put("pod", pod);
    }
    return bytes(message);
  }

  private static byte[] bytes(ObjectNode message) {
    try {
      return JSON.writeValueAsBytes(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
