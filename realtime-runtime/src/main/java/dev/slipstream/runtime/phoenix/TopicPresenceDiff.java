package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed in one topic's presence: metas that joined and metas that left, by presence key.
 * A meta is the tracked payload plus its {@code phx_ref}, which is unique across the tenant's pods.
 *
 * @param topicKey the topic as {@link Topics#key} names it ({@code public|realtime:room})
 */
record TopicPresenceDiff(String topicKey, Map<String, List<ObjectNode>> joins, Map<String, List<ObjectNode>> leaves) {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  static TopicPresenceDiff empty(String topicKey) {
    return new TopicPresenceDiff(topicKey, new LinkedHashMap<>(), new LinkedHashMap<>());
  }

  boolean isEmpty() {
    return joins.isEmpty() && leaves.isEmpty();
  }

  void join(String key, ObjectNode meta) {
    joins.computeIfAbsent(key, k -> new ArrayList<>()).add(meta);
  }

  void leave(String key, ObjectNode meta) {
    leaves.computeIfAbsent(key, k -> new ArrayList<>()).add(meta);
  }

  /** As Phoenix sends it in {@code presence_diff} and {@code presence_state}: {@code {key: {metas: [...]}}}. */
  static ObjectNode clientForm(Map<String, List<ObjectNode>> metasByKey) {
    ObjectNode out = NODES.objectNode();
    metasByKey.forEach((key, metas) -> out.putObject(key).putArray("metas").addAll(metas));
    return out;
  }

  /** The reverse of {@link #clientForm}: what a channel's own change looks like to the other pods. */
  static Map<String, List<ObjectNode>> fromClientForm(ObjectNode clientForm) {
    Map<String, List<ObjectNode>> out = new LinkedHashMap<>();
    clientForm.properties().forEach(entry -> entry.getValue().path("metas").forEach(meta -> {
      if (meta.isObject()) {
        out.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add((ObjectNode) meta);
      }
    }));
    return out;
  }
}
