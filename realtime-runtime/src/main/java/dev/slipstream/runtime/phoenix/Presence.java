package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipstream.runtime.transport.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The presence of one topic, as Phoenix Presence keeps it and realtime-js reads it: keys, each
 * with the metas of the channels that track under it ({@code phx_ref} plus the tracked payload).
 * A channel that asked for presence gets the whole state ({@code presence_state}) once, then every
 * change as {@code presence_diff} {@code {joins, leaves}}; realtime-js applies diffs only after a
 * state, so the state is sent first, from here.
 *
 * <p>Across pods, a topic's presence is the union of every pod's: a channel's state adds the other
 * pods' metas, their changes reach this topic's channels through {@link #deliver}, and this topic's
 * own changes go to the {@link PresenceExchange}, which tells the other pods. Refs are unique
 * across pods.
 *
 * <p>Owned by the runtime's single presence thread ({@link Topics#presenceExecutor()}): every
 * method runs there, so the state and the recipients need no locks, and a channel's state snapshot
 * and the diffs after it leave in order.
 */
final class Presence {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final AtomicLong REFS = new AtomicLong();
  /** Tells this process's refs from every other pod's: Phoenix refs are unique across nodes too. */
  private static final String PROCESS = Long.toString(new java.security.SecureRandom().nextLong() >>> 24, 36);

  private final String topic;
  private final String topicKey;
  private final Topics topics;
  private final ByteBufAllocator allocator;
  /** key -> phx_ref -> meta, in join order. */
  private final Map<String, Map<String, ObjectNode>> state = new LinkedHashMap<>();
  /** What each tracking channel has tracked: its key and its meta's ref. */
  private final Map<ChannelMembership, Tracked> tracked = new HashMap<>();
  private final Set<ChannelMembership> recipients = new LinkedHashSet<>();

  private record Tracked(String key, String ref) {
  }

  Presence(String topic, String topicKey, ByteBufAllocator allocator, Topics topics) {
    this.topic = topic;
    this.topicKey = topicKey;
    this.allocator = allocator;
    this.topics = topics;
  }

  boolean isEmpty() {
    return state.isEmpty() && recipients.isEmpty();
  }

  /** The channel receives presence: the state now (with its join_ref, as Phoenix sends it), diffs after. */
  void subscribe(ChannelMembership member) {
    ObjectNode snapshot = NODES.objectNode();
    state.forEach((key, metas) -> snapshot.set(key, metas(metas.values())));
    PresenceExchange exchange = topics.exchange();
    if (exchange != null) {
      exchange.remoteState(topicKey).forEach((key, metas) -> {
        JsonNode entry = snapshot.get(key);
        if (entry == null) {
          snapshot.set(key, metas(metas));
        } else {
          ((ArrayNode) entry.get("metas")).addAll(metas);
        }
      });
    }
    send(member, new PhoenixMessage(member.joinRef(), null, topic, PhoenixMessage.PRESENCE_STATE, snapshot));
    recipients.add(member);
  }

  /** Tracks (or re-tracks, replacing its meta) the channel under its presence key. */
  void track(ChannelMembership member, ObjectNode payload) {
    ObjectNode leaves = NODES.objectNode();
    ObjectNode joins = NODES.objectNode();
    Tracked previous = tracked.get(member);
    ObjectNode meta = NODES.objectNode();
    String ref = nextRef();
    meta.put("phx_ref", ref);
    if (previous != null) {
      ObjectNode old = state.getOrDefault(previous.key, Map.of()).get(previous.ref);
      if (old != null && payloadOf(old).equals(payload) && previous.key.equals(member.presenceKey())) {
        return; // unchanged: nothing to tell anyone
      }
      meta.put("phx_ref_prev", previous.ref);
      removeMeta(previous, leaves);
    }
    payload.fields().forEachRemaining(field -> {
      if (!field.getKey().equals("phx_ref") && !field.getKey().equals("phx_ref_prev")) {
        meta.set(field.getKey(), field.getValue());
      }
    });
    state.computeIfAbsent(member.presenceKey(), k -> new LinkedHashMap<>()).put(ref, meta);
    tracked.put(member, new Tracked(member.presenceKey(), ref));
    joins.set(member.presenceKey(), metas(List.of(meta)));
    changed(joins, leaves);
  }

  /** Forgets what the channel tracked; the others see it leave. */
  void untrack(ChannelMembership member) {
    Tracked previous = tracked.remove(member);
    if (previous == null) {
      return;
    }
    ObjectNode leaves = NODES.objectNode();
    removeMeta(previous, leaves);
    changed(NODES.objectNode(), leaves);
  }

  /** Another pod's change: to this topic's channels only. */
  void deliver(ObjectNode joins, ObjectNode leaves) {
    broadcastDiff(joins, leaves);
  }

  /** This runtime's own metas, by presence key: what a sync to the other pods carries. */
  Map<String, List<ObjectNode>> localState() {
    Map<String, List<ObjectNode>> out = new LinkedHashMap<>();
    state.forEach((key, metas) -> out.put(key, new ArrayList<>(metas.values())));
    return out;
  }

  /** A change of this runtime's channels: to them, and to the other pods. */
  private void changed(ObjectNode joins, ObjectNode leaves) {
    broadcastDiff(joins, leaves);
    PresenceExchange exchange = topics.exchange();
    if (exchange != null) {
      exchange.localChanged(topicKey, joins, leaves);
    }
  }

  /** The channel is gone (left, closed, its socket died). */
  void remove(ChannelMembership member) {
    recipients.remove(member);
    untrack(member);
  }

  private void removeMeta(Tracked previous, ObjectNode leaves) {
    Map<String, ObjectNode> metas = state.get(previous.key);
    ObjectNode old = metas == null ? null : metas.remove(previous.ref);
    if (old != null) {
      leaves.set(previous.key, metas(List.of(old)));
    }
    if (metas != null && metas.isEmpty()) {
      state.remove(previous.key);
    }
  }

  private void broadcastDiff(ObjectNode joins, ObjectNode leaves) {
    ObjectNode diff = NODES.objectNode();
    diff.set("joins", joins);
    diff.set("leaves", leaves);
    PhoenixMessage message = new PhoenixMessage(null, null, topic, PhoenixMessage.PRESENCE_DIFF, diff);
    Map<PhoenixSerializer, ByteBuf> frames = new EnumMap<>(PhoenixSerializer.class);
    try {
      for (ChannelMembership recipient : recipients) {
        ByteBuf frame = frames.computeIfAbsent(recipient.serializer(),
            s -> WebSocketFrames.text(allocator, s.encode(message)));
        recipient.connection().send(frame.retainedDuplicate());
      }
    } finally {
      frames.values().forEach(ByteBuf::release);
    }
  }

  /** Through the member's byte budget, like every other message (a state may be large). */
  private void send(ChannelMembership member, PhoenixMessage message) {
    member.connection().send(WebSocketFrames.text(allocator, member.serializer().encode(message)));
  }

  private static ObjectNode metas(Iterable<ObjectNode> metas) {
    ObjectNode entry = NODES.objectNode();
    var array = entry.putArray("metas");
    metas.forEach(array::add);
    return entry;
  }

  private static JsonNode payloadOf(ObjectNode meta) {
    ObjectNode payload = meta.deepCopy();
    payload.remove("phx_ref");
    payload.remove("phx_ref_prev");
    return payload;
  }

  /** Unique across pods, like Phoenix's refs: a random prefix per process and a counter, base 36. */
  private static String nextRef() {
    return "S" + PROCESS + "." + Long.toString(REFS.incrementAndGet(), 36);
  }
}
