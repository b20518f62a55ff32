package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;

/**
 * Something {@link FanOut} delivers changes to: an SSE stream, or a Phoenix channel joined over a
 * WebSocket. Subscribers that return equal {@link #frameKey} for an event receive the very same
 * bytes: the first of them encodes the frame, the others get a retained duplicate.
 */
public interface Subscriber {

  /** Equal keys mean identical frames for this event (same wire format, topic, binding ids). */
  Object frameKey(ChangeEvent event);

  /**
   * Whether {@link #frameKey} is the same for every event (one binding, one wire format): the
   * fan-out may then route a run of events that match the same subscribers without asking each
   * of them again ({@code RoutePlan}).
   */
  default boolean sameFrameKeyForEveryEvent() {
    return false;
  }

  /** The complete frame for the event, ready for the socket (WebSocket framing included). */
  ByteBuf encode(ChangeEvent event, EncodedChange change, ByteBufAllocator allocator);

  /**
   * The event loop of the subscriber's connection. The fan-out hands each event to a loop once,
   * with every frame for that loop's subscribers, instead of once per subscriber: waking a loop
   * costs more than writing a frame.
   */
  EventExecutor executor();

  /**
   * Whether the subscriber may hold several subscriptions that match one event (a channel with
   * several bindings); the fan-out then makes sure it gets the event once. Most hold one.
   */
  default boolean mayMatchTwice() {
    return false;
  }

  /**
   * Queues the frame without sending it yet; takes ownership of one reference. Called on {@link
   * #executor()}, once for each of the subscriber's events of a batch, in order, then {@link #flush}.
   */
  void deliver(ChangeEvent event, ByteBuf frame);

  /** Sends what {@link #deliver} queued (one flush for all of a batch's frames). Called on {@link #executor()}. */
  default void flush() {
  }

  /**
   * The event matched this subscriber but its filter or its encoding failed for it: it is skipped
   * (every other subscriber still gets the event), and the subscriber tells its client why, on its
   * own loop. Called on the fan-out's thread; must not block.
   */
  default void skipped(ChangeEvent event, String reason) {
  }
}
