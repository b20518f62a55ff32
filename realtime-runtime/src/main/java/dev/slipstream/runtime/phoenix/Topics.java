package dev.slipstream.runtime.phoenix;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Every channel topic with members on this runtime, for broadcasts and presence. A topic exists
 * while it has members. Presence runs on one thread of its own (cheap work: maps and small JSON),
 * which is the single owner of every topic's presence state.
 */
public final class Topics implements AutoCloseable {

  private final Map<String, Topic> topics = new ConcurrentHashMap<>();
  private final ByteBufAllocator allocator;
  private final EventExecutor presenceExecutor;
  private volatile PeerBroadcasts peers = PeerBroadcasts.NONE;
  /** Presence across pods; null for a runtime on its own. */
  private volatile PresenceExchange exchange;

  public Topics(ByteBufAllocator allocator) {
    this(allocator, new DefaultEventExecutor(new DefaultThreadFactory("slipstream-presence", true)));
  }

  /** With a given presence executor: tests run presence on their own thread. */
  Topics(ByteBufAllocator allocator, EventExecutor presenceExecutor) {
    this.allocator = allocator;
    this.presenceExecutor = presenceExecutor;
  }

  EventExecutor presenceExecutor() {
    return presenceExecutor;
  }

  ByteBufAllocator allocator() {
    return allocator;
  }

  /** Public and private channels of one name are separate topics, as in Supabase Realtime. */
  static String key(String topic, boolean privateChannel) {
    return (privateChannel ? "private|" : "public|") + topic;
  }

  Topic join(ChannelMembership member) {
    return topics.compute(key(member.topic(), member.privateChannel()), (key, topic) -> {
      Topic joined = topic == null ? new Topic(member.topic(), key, allocator, this) : topic;
      joined.add(member);
      return joined;
    });
  }

  void leave(ChannelMembership member) {
    topics.computeIfPresent(key(member.topic(), member.privateChannel()), (key, topic) ->
        topic.remove(member) ? null : topic);
  }

  /** Where clients' broadcasts go beyond this runtime (the tenant's other pods); none unless set. */
  public void peers(PeerBroadcasts peers) {
    this.peers = peers;
  }

  PeerBroadcasts peers() {
    return peers;
  }

  void exchange(PresenceExchange exchange) {
    this.exchange = exchange;
  }

  /** Presence across pods, or null: a runtime on its own. */
  PresenceExchange exchange() {
    return exchange;
  }

  /** Every topic's presence here; on the presence thread. */
  void forEachPresence(BiConsumer<String, Presence> action) {
    topics.forEach((key, topic) -> action.accept(key, topic.presence()));
  }

  /** Another pod's presence change, to this runtime's channels of the topic; on the presence thread. */
  void deliverPresence(String topicKey, ObjectNode joins, ObjectNode leaves) {
    Topic target = topics.get(topicKey);
    if (target != null) {
      target.presence().deliver(joins, leaves);
    }
  }

  /**
   * A client broadcast from another pod of the tenant to this runtime's channels of {@code topic}
   * (all of them: its sender is elsewhere); returns how many channels received it. Any thread.
   */
  public int broadcastFromPeer(String topic, boolean privateChannel, String event, byte[] payload, boolean json,
      boolean binaryOrigin) {
    Topic target = topics.get(key(topic, privateChannel));
    if (target == null) {
      return 0;
    }
    return target.broadcast(new Broadcast(topic, event, payload, json, binaryOrigin), null, allocator);
  }

  /**
   * A broadcast from the database ({@code pg_logical_emit_message}) to the channels of
   * {@code topic} ({@code realtime:<name>}); returns how many channels received it.
   */
  public int broadcastFromDatabase(String topic, boolean privateChannel, String event, byte[] payloadJson) {
    Topic target = topics.get(key(topic, privateChannel));
    if (target == null) {
      return 0;
    }
    return target.broadcast(new Broadcast(topic, event, payloadJson, true, false), null, allocator);
  }

  public int size() {
    return topics.size();
  }

  @Override
  public void close() {
    presenceExecutor.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
