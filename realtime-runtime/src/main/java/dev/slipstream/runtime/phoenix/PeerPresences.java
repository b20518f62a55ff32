package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this pod knows of the presences tracked on the tenant's other pods: one replica per pod,
 * by topic, presence key and {@code phx_ref}. Every change says what it changed in effect (a join
 * of a meta already known, or a leave of one not known, changes nothing), so the clients here and
 * the pods this one relays to see each join and leave once. A pod's whole state is replaced by a
 * sync ({@link #begin}, {@link #stage}..., {@link #end}): the difference is what is told.
 *
 * <p>A replica may carry a deadline: the pod's link is gone, and unless a sync renews it in time,
 * {@link #expired} names it and its presences leave. Owned by the presence thread, like every
 * topic's {@link Presence}: no locks.
 */
final class PeerPresences {

  /** pod -> topic key -> presence key -> phx_ref -> meta. */
  private final Map<String, Map<String, Map<String, Map<String, ObjectNode>>>> replicas = new HashMap<>();
  private final Map<String, Map<String, Map<String, Map<String, ObjectNode>>>> staging = new HashMap<>();
  private final Map<String, Long> deadlines = new HashMap<>();

  /** Applies a pod's change; returns what it changed in effect (possibly nothing). */
  TopicPresenceDiff apply(String pod, TopicPresenceDiff change) {
    Map<String, Map<String, ObjectNode>> topic = replicas.computeIfAbsent(pod, p -> new HashMap<>())
        .computeIfAbsent(change.topicKey(), k -> new LinkedHashMap<>());
    TopicPresenceDiff effect = TopicPresenceDiff.empty(change.topicKey());
    change.leaves().forEach((key, metas) -> metas.forEach(meta -> {
      Map<String, ObjectNode> refs = topic.get(key);
      ObjectNode known = refs == null ? null : refs.remove(ref(meta));
      if (known != null) {
        effect.leave(key, known);
        if (refs.isEmpty()) {
          topic.remove(key);
        }
      }
    }));
    change.joins().forEach((key, metas) -> metas.forEach(meta -> {
      String ref = ref(meta);
      if (ref != null && topic.computeIfAbsent(key, k -> new LinkedHashMap<>()).putIfAbsent(ref, meta) == null) {
        effect.join(key, meta);
      }
    }));
    prune(pod, change.topicKey());
    return effect;
  }

  /** A sync of the pod's whole state starts: what it stages replaces its replica at {@link #end}. */
  void begin(String pod) {
    staging.put(pod, new HashMap<>());
  }

  /** Part of a sync: metas of one topic. Ignored without {@link #begin} (a sync cut short by a lost link). */
  void stage(String pod, String topicKey, Map<String, List<ObjectNode>> metas) {
    Map<String, Map<String, Map<String, ObjectNode>>> staged = staging.get(pod);
    if (staged == null) {
      return;
    }
    Map<String, Map<String, ObjectNode>> topic = staged.computeIfAbsent(topicKey, k -> new LinkedHashMap<>());
    metas.forEach((key, list) -> list.forEach(meta -> {
      String ref = ref(meta);
      if (ref != null) {
        topic.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(ref, meta);
      }
    }));
  }

  /**
   * Ends a sync: the staged state becomes the pod's replica, its deadline is lifted, and the
   * difference from what was known is returned, by topic. Nothing happens without {@link #begin}.
   */
  List<TopicPresenceDiff> end(String pod) {
    Map<String, Map<String, Map<String, ObjectNode>>> staged = staging.remove(pod);
    if (staged == null) {
      return List.of();
    }
    deadlines.remove(pod);
    Map<String, Map<String, Map<String, ObjectNode>>> old = replicas.getOrDefault(pod, Map.of());
    Set<String> topics = new TreeSet<>(old.keySet());
    topics.addAll(staged.keySet());
    List<TopicPresenceDiff> diffs = new ArrayList<>();
    for (String topicKey : topics) {
      Map<String, Map<String, ObjectNode>> before = old.getOrDefault(topicKey, Map.of());
      Map<String, Map<String, ObjectNode>> after = staged.getOrDefault(topicKey, Map.of());
      TopicPresenceDiff diff = TopicPresenceDiff.empty(topicKey);
      before.forEach((key, refs) -> refs.forEach((ref, meta) -> {
        if (!after.getOrDefault(key, Map.of()).containsKey(ref)) {
          diff.leave(key, meta);
        }
      }));
      after.forEach((key, refs) -> refs.forEach((ref, meta) -> {
        if (!before.getOrDefault(key, Map.of()).containsKey(ref)) {
          diff.join(key, meta);
        }
      }));
      if (!diff.isEmpty()) {
        diffs.add(diff);
      }
    }
    staged.values().removeIf(Map::isEmpty);
    if (staged.isEmpty()) {
      replicas.remove(pod);
    } else {
      replicas.put(pod, staged);
    }
    return diffs;
  }

  /** Forgets the pod: every presence it had leaves. */
  List<TopicPresenceDiff> remove(String pod) {
    staging.remove(pod);
    deadlines.remove(pod);
    Map<String, Map<String, Map<String, ObjectNode>>> replica = replicas.remove(pod);
    if (replica == null) {
      return List.of();
    }
    List<TopicPresenceDiff> diffs = new ArrayList<>();
    replica.forEach((topicKey, keys) -> {
      TopicPresenceDiff diff = TopicPresenceDiff.empty(topicKey);
      keys.forEach((key, refs) -> refs.values().forEach(meta -> diff.leave(key, meta)));
      diffs.add(diff);
    });
    return diffs;
  }

  /** The pods this one holds presences of. */
  Set<String> pods() {
    return new TreeSet<>(replicas.keySet());
  }

  /** The pod's presences leave at {@code deadlineNanos} unless a sync comes first; an earlier deadline stays. */
  void expireAt(String pod, long deadlineNanos) {
    if (replicas.containsKey(pod)) {
      deadlines.merge(pod, deadlineNanos, (a, b) -> a - b <= 0 ? a : b);
    }
  }

  /** Pods whose deadline has passed. */
  List<String> expired(long nowNanos) {
    List<String> expired = new ArrayList<>();
    deadlines.forEach((pod, deadline) -> {
      if (nowNanos - deadline >= 0) {
        expired.add(pod);
      }
    });
    return expired;
  }

  /** Every other pod's metas in one topic, by presence key: what a channel's first state adds. */
  Map<String, List<ObjectNode>> state(String topicKey) {
    Map<String, List<ObjectNode>> state = new LinkedHashMap<>();
    for (Map<String, Map<String, Map<String, ObjectNode>>> replica : replicas.values()) {
      replica.getOrDefault(topicKey, Map.of()).forEach((key, refs) ->
          state.computeIfAbsent(key, k -> new ArrayList<>()).addAll(refs.values()));
    }
    return state;
  }

  /** One pod's whole state, by topic: what a sync of it carries. */
  Map<String, Map<String, List<ObjectNode>>> replica(String pod) {
    Map<String, Map<String, List<ObjectNode>>> out = new LinkedHashMap<>();
    replicas.getOrDefault(pod, Map.of()).forEach((topicKey, keys) -> {
      Map<String, List<ObjectNode>> metas = new LinkedHashMap<>();
      keys.forEach((key, refs) -> metas.put(key, new ArrayList<>(refs.values())));
      out.put(topicKey, metas);
    });
    return out;
  }

  private void prune(String pod, String topicKey) {
    Map<String, Map<String, Map<String, ObjectNode>>> replica = replicas.get(pod);
    if (replica.get(topicKey).isEmpty()) {
      replica.remove(topicKey);
    }
    if (replica.isEmpty()) {
      replicas.remove(pod);
    }
  }

  private static String ref(ObjectNode meta) {
    return meta.path("phx_ref").isTextual() ? meta.get("phx_ref").asText() : null;
  }
}
