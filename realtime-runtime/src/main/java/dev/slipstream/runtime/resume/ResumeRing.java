package dev.slipstream.runtime.resume;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.EventPosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The most recent events, by position, so that a client that reconnects with the last position it
 * saw ({@code Last-Event-ID}) gets what it missed, in order. Bounded by count; the oldest event is
 * dropped when a new one arrives at capacity.
 *
 * <p>Written by the dispatching thread, read by event loops serving resumes: methods are
 * synchronized, and reads copy out what they return.
 */
public final class ResumeRing {

  private final ChangeEvent[] events;
  private int start;
  private int count;
  /** Position of the newest event ever dropped from the ring; null while nothing was dropped. */
  private EventPosition lastEvicted;
  /** The server's end of WAL when this process began streaming: no position a client saw lies beyond it. */
  private long serverWalEnd;

  public ResumeRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.events = new ChangeEvent[capacity];
  }

  /**
   * Nothing committed before {@code lsn} will ever be added: the slot resumed there (its
   * {@code confirmed_flush_lsn}), and what came earlier went out from an earlier process. A client
   * resuming from before it is told of the gap instead of silently skipping to what follows. A
   * no-op once the ring has held an event: it then covers everything since this process began.
   *
   * <p>A client whose last event is exactly the last one confirmed is told of a gap too: the ring
   * cannot tell it from one that missed events, and refetching is the safe answer.
   *
   * <p>{@code serverWalEnd}, the server's end of WAL as streaming starts, bounds the positions a
   * client can have seen: one beyond both it and the newest event here was never sent by anyone.
   */
  public synchronized void startsAt(long lsn, long serverWalEnd) {
    if (Long.compareUnsigned(serverWalEnd, this.serverWalEnd) > 0) {
      this.serverWalEnd = serverWalEnd;
    }
    if (count == 0 && (lastEvicted == null || Long.compareUnsigned(lastEvicted.commitLsn(), lsn) < 0)) {
      lastEvicted = new EventPosition(lsn, 0);
    }
  }

  /**
   * Events committed before {@code lsn} may be missing after the newest one here (the pod lost
   * part of the stream): nothing held so far can serve a resume any more, so the ring starts over
   * and a client resuming from before {@code lsn} is told of the gap.
   */
  public synchronized void gapBefore(long lsn) {
    java.util.Arrays.fill(events, null);
    start = 0;
    count = 0;
    lastEvicted = new EventPosition(lsn, 0);
  }

  public synchronized void add(ChangeEvent event) {
    if (count == events.length) {
      lastEvicted = events[start].position();
      events[start] = event;
      start = (start + 1) % events.length;
    } else {
      events[(start + count) % events.length] = event;
      count++;
    }
  }

  /**
   * The events after {@code position}, oldest first; empty when the ring no longer holds
   * everything after it (a gap the client must fill by refetching), and when the position lies
   * beyond anything this tenant's stream has reached (a made-up or foreign position: honouring it
   * would silence the client until the stream caught up with it, perhaps never).
   */
  public synchronized Optional<List<ChangeEvent>> after(EventPosition position) {
    if (lastEvicted != null && position.compareTo(lastEvicted) < 0) {
      return Optional.empty();
    }
    long newest = count == 0 ? 0 : events[(start + count - 1) % events.length].position().commitLsn();
    long horizon = Long.compareUnsigned(newest, serverWalEnd) > 0 ? newest : serverWalEnd;
    if (Long.compareUnsigned(position.commitLsn(), horizon) > 0) {
      return Optional.empty();
    }
    List<ChangeEvent> result = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ChangeEvent event = events[(start + i) % events.length];
      if (event.position().isAfter(position)) {
        result.add(event);
      }
    }
    return Optional.of(result);
  }

  public synchronized int size() {
    return count;
  }

  public int capacity() {
    return events.length;
  }
}
