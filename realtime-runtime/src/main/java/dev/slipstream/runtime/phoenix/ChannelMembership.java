package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.fanout.ClientConnection;
import dev.slipstream.runtime.fanout.EncodedChange;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.transport.WebSocketFrames;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket's membership of one channel topic with postgres_changes bindings: the
 * {@link Subscriber} the fan-out delivers to. A change matching several of its bindings becomes
 * one push listing all their ids, as realtime-js expects.
 */
final class ChannelMembership implements Subscriber {

  private final String topic;
  private final String joinRef;
  private final PhoenixSerializer serializer;
  private final List<PostgresBinding> bindings;
  private final ClientConnection connection;
  private final List<SubscriptionIndex.Subscription<Subscriber>> subscriptions = new ArrayList<>();
  /** With one binding, the index matched exactly it: the ids are known without re-testing filters. */
  private final String singleBindingIds;

  ChannelMembership(String topic, String joinRef, PhoenixSerializer serializer, List<PostgresBinding> bindings,
      ClientConnection connection) {
    this.topic = topic;
    this.joinRef = joinRef;
    this.serializer = serializer;
    this.bindings = List.copyOf(bindings);
    this.connection = connection;
    this.singleBindingIds = this.bindings.size() == 1 ? "[" + this.bindings.getFirst().id() + "]" : null;
  }

  String topic() {
    return topic;
  }

  String joinRef() {
    return joinRef;
  }

  void register(SubscriptionIndex<Subscriber> index) {
    for (PostgresBinding binding : bindings) {
      subscriptions.add(index.add(binding.changeFilter(), this));
    }
  }

  void unregister(SubscriptionIndex<Subscriber> index) {
    subscriptions.forEach(index::remove);
    subscriptions.clear();
  }

  @Override
  public Object frameKey(ChangeEvent event) {
    return new FrameKey(serializer, topic, idsJson(event));
  }

  @Override
  public ByteBuf encode(ChangeEvent event, EncodedChange change, ByteBufAllocator allocator) {
    byte[][] envelope = serializer.pushEnvelope(topic, PhoenixMessage.POSTGRES_CHANGES, idsJson(event));
    return WebSocketFrames.text(allocator, envelope[0], change.wireShape(), envelope[1]);
  }

  @Override
  public void deliver(ChangeEvent event, ByteBuf frame) {
    // No position: two channels of one socket may both receive the same event.
    connection.send(frame, null);
  }

  private String idsJson(ChangeEvent event) {
    if (singleBindingIds != null) {
      return singleBindingIds;
    }
    StringBuilder ids = new StringBuilder("[");
    for (PostgresBinding binding : bindings) {
      if (binding.changeFilter().matches(event)) {
        if (ids.length() > 1) {
          ids.append(',');
        }
        ids.append(binding.id());
      }
    }
    return ids.append(']').toString();
  }

  private record FrameKey(PhoenixSerializer serializer, String topic, String ids) {
  }
}
