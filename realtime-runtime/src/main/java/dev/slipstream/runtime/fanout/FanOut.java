package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.resume.ResumeRing;
import dev.slipstream.runtime.route.SubscriptionIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Hands each committed change to every subscriber that wants it, encoding it once per distinct
 * frame (DESIGN principle 3): the first subscriber of a frame key encodes, every other one gets a
 * retained duplicate of the same buffer. Runs on the replication thread; the subscribers hop to
 * their event loops, so nothing here waits on a client.
 *
 * <p>Each event goes into the {@link ResumeRing} before it is routed, so a client registering
 * concurrently finds it either in the ring or live (see the SSE resume logic).
 */
public final class FanOut implements ChangeSink {

  private final SubscriptionIndex<Subscriber> index;
  private final ResumeRing ring;
  private final ByteBufAllocator allocator;
  private final FanOutMetrics metrics;
  private final ChangeJsonEncoder encoder = new ChangeJsonEncoder();
  private final List<Consumer<ChangeEvent.DatabaseMessage>> messageListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong committedLsn = new AtomicLong();

  public FanOut(SubscriptionIndex<Subscriber> index, ResumeRing ring, ByteBufAllocator allocator,
      FanOutMetrics metrics) {
    this.index = index;
    this.ring = ring;
    this.allocator = allocator;
    this.metrics = metrics;
  }

  /** Also called with every {@code pg_logical_emit_message} (heartbeats, broadcasts from the database). */
  public void onDatabaseMessage(Consumer<ChangeEvent.DatabaseMessage> listener) {
    messageListeners.add(listener);
  }

  @Override
  public void accept(ChangeEvent event) {
    metrics.eventReceived(event);
    if (event instanceof ChangeEvent.DatabaseMessage message) {
      messageListeners.forEach(listener -> listener.accept(message));
      return;
    }
    ring.add(event);
    Set<Subscriber> subscribers = distinctSubscribers(index.match(event));
    if (subscribers.isEmpty()) {
      return;
    }
    EncodedChange encoded = new EncodedChange(event, encoder);
    Map<Object, ByteBuf> frames = new HashMap<>();
    try {
      for (Subscriber subscriber : subscribers) {
        ByteBuf frame = frames.computeIfAbsent(subscriber.frameKey(event),
            key -> subscriber.encode(event, encoded, allocator));
        metrics.delivered(frame.readableBytes());
        subscriber.deliver(event, frame.retainedDuplicate());
      }
    } finally {
      frames.values().forEach(ByteBuf::release);
    }
  }

  @Override
  public void committed(long endLsn) {
    committedLsn.set(endLsn);
    metrics.committed(endLsn);
  }

  @Override
  public void streamStartsAt(long confirmedLsn) {
    ring.startsAt(confirmedLsn);
  }

  public long committedLsn() {
    return committedLsn.get();
  }

  public ResumeRing ring() {
    return ring;
  }

  public SubscriptionIndex<Subscriber> index() {
    return index;
  }

  /** A Phoenix channel with two bindings that both match gets one push (with both ids), not two. */
  private static Set<Subscriber> distinctSubscribers(List<SubscriptionIndex.Subscription<Subscriber>> matches) {
    Set<Subscriber> subscribers = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (var match : matches) {
      subscribers.add(match.subscriber());
    }
    return subscribers;
  }
}
