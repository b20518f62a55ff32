package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one hand-over routed to the subscribers of one event loop: (subscriber, frame) pairs in the
 * order they were routed, in segments of one event each. The routing thread stores only
 * references: a shared frame is retained once per hand-over (not per subscriber), and each
 * subscriber's duplicate is made on its own loop ({@link LoopInbox}), where Netty's recycler hands
 * the same few duplicate objects round again once the socket took them.
 *
 * <p>Filled by the routing thread, then read and released by the loop; the hand-over through the
 * inbox's queue orders the two.
 */
final class Deliveries {

  private Subscriber[] subscribers;
  private ByteBuf[] frames;
  private int size;
  /** Segment k holds the deliveries of {@code events[k]}, from {@code ends[k - 1]} (or 0) to {@code ends[k]}. */
  private ChangeEvent[] events = new ChangeEvent[2];
  private int[] ends = new int[2];
  private int segments;
  /** One reference to each distinct frame, let go once every subscriber has its duplicate. */
  private final List<ByteBuf> held = new ArrayList<>(4);

  /** @param capacity sized once for the first event, not grown thousands of elements at a time */
  Deliveries(int capacity) {
    this.subscribers = new Subscriber[capacity];
    this.frames = new ByteBuf[capacity];
  }

  /** Routing thread: every delivery of one event is added before the next event's. */
  void add(ChangeEvent event, Subscriber subscriber, ByteBuf frame) {
    if (size == subscribers.length) {
      int capacity = Math.max(16, size * 2);
      subscribers = Arrays.copyOf(subscribers, capacity);
      frames = Arrays.copyOf(frames, capacity);
    }
    if (segments == 0 || events[segments - 1] != event) {
      if (segments == events.length) {
        events = Arrays.copyOf(events, segments * 2);
        ends = Arrays.copyOf(ends, segments * 2);
      }
      events[segments++] = event;
    }
    if (held.isEmpty() || held.getLast() != frame) {
      held.add(frame.retain());
    }
    subscribers[size] = subscriber;
    frames[size] = frame;
    ends[segments - 1] = ++size;
  }

  /**
   * Routing thread: a whole event's deliveries at once, from a {@link RoutePlan}: {@code count}
   * subscribers, each with {@code frames[keys[i]]} ({@code frames[0]} for all when {@code keys} is null).
   */
  void addAll(ChangeEvent event, Subscriber[] planned, int count, int[] keys, ByteBuf[] frames) {
    if (size + count > subscribers.length) {
      int capacity = Math.max(size + count, size * 2);
      subscribers = Arrays.copyOf(subscribers, capacity);
      this.frames = Arrays.copyOf(this.frames, capacity);
    }
    if (segments == events.length) {
      events = Arrays.copyOf(events, segments * 2);
      ends = Arrays.copyOf(ends, segments * 2);
    }
    events[segments++] = event;
    System.arraycopy(planned, 0, subscribers, size, count);
    if (keys == null) {
      Arrays.fill(this.frames, size, size + count, frames[0]);
      held.add(frames[0].retain());
    } else {
      for (int i = 0; i < count; i++) {
        ByteBuf frame = frames[keys[i]];
        this.frames[size + i] = frame;
        if (held.isEmpty() || held.getLast() != frame) {
          held.add(frame.retain());
        }
      }
    }
    size += count;
    ends[segments - 1] = size;
  }

  int segments() {
    return segments;
  }

  ChangeEvent event(int segment) {
    return events[segment];
  }

  int start(int segment) {
    return segment == 0 ? 0 : ends[segment - 1];
  }

  int length(int segment) {
    return ends[segment] - start(segment);
  }

  Subscriber subscriber(int index) {
    return subscribers[index];
  }

  ByteBuf frame(int index) {
    return frames[index];
  }

  /**
   * Whether {@code segment} reaches the same subscribers in the same order as {@code other}'s
   * {@code otherSegment}: the usual case for consecutive changes of one table, which then go out
   * subscriber by subscriber. References only, nothing dereferenced.
   */
  boolean sameSubscribers(int segment, Deliveries other, int otherSegment) {
    int start = start(segment);
    int otherStart = other.start(otherSegment);
    int length = ends[segment] - start;
    return length == other.ends[otherSegment] - otherStart
        && Arrays.equals(subscribers, start, start + length, other.subscribers, otherStart, otherStart + length);
  }

  void release() {
    held.forEach(ByteBuf::release);
    held.clear();
  }
}
