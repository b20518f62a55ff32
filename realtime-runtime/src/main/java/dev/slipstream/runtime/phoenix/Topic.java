package dev.slipstream.runtime.phoenix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channels joined to one topic on this runtime: who receives its broadcasts, and its
 * {@link Presence}. Public and private channels of one name are two topics, as in Supabase.
 * Members come and go on their sockets' event loops; the set is concurrent, so a broadcast sees
 * each member either whole or not at all.
 */
final class Topic {

  private final String name;
  private final Set<ChannelMembership> members = ConcurrentHashMap.newKeySet();
  /** Touched only on the presence thread. */
  private final Presence presence;

  Topic(String name, String key, ByteBufAllocator allocator, Topics topics) {
    this.name = name;
    this.presence = new Presence(name, key, allocator, topics);
  }

  String name() {
    return name;
  }

  Presence presence() {
    return presence;
  }

  void add(ChannelMembership member) {
    members.add(member);
  }

  boolean remove(ChannelMembership member) {
    members.remove(member);
    return members.isEmpty();
  }

  boolean isEmpty() {
    return members.isEmpty();
  }

  /**
   * Hands the broadcast to every member but the sender (unless it asked for its own with
   * {@code broadcast.self}); each wire format is encoded once. Returns how many received it.
   */
  int broadcast(Broadcast broadcast, ChannelMembership sender, ByteBufAllocator allocator) {
    Map<PhoenixSerializer, ByteBuf> frames = new EnumMap<>(PhoenixSerializer.class);
    int delivered = 0;
    try {
      for (ChannelMembership member : members) {
        if (member == sender && !member.broadcastSelf()) {
          continue;
        }
        ByteBuf frame = frames.computeIfAbsent(member.serializer(), s -> broadcast.frame(s, allocator));
        if (frame != null) {
          member.connection().send(frame.retainedDuplicate());
          delivered++;
        }
      }
    } finally {
      frames.values().forEach(frame -> {
        if (frame != null) {
          frame.release();
        }
      });
    }
    return delivered;
  }
}
