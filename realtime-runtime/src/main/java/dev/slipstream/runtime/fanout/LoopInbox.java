package dev.slipstream.runtime.fanout;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the fan-out hands one event loop its deliveries, and the one task that delivers them.
 * A hand-over queues its {@link Deliveries} and wakes the loop only if no run is pending; a run
 * takes everything queued by then. So a loop that keeps up gets each hand-over at once, and a loop
 * that is behind takes several hand-overs in one run: the batch grows with the load, and each
 * connection still gets one flush per run.
 *
 * <p>A run delivers subscriber by subscriber, not event by event: consecutive events that reach the
 * same subscribers in the same order (one table's changes, the usual case) form a group, and each
 * subscriber of the group gets all of the group's frames in a row and then one {@link
 * Subscriber#flush}. Its connection is touched while it is in the cache, ten frames cost about
 * what one costs, and a connection's frames leave in one {@code writev}. Each subscriber still
 * gets its events in order; two channels of one socket may see a group's frames grouped by
 * channel rather than interleaved (each channel's stream is in order).
 */
final class LoopInbox implements Runnable {

  private final EventExecutor loop;
  private final Queue<Deliveries> queued = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** The loop's own: the hand-overs of the current run and its segments, reused from run to run. */
  private final List<Deliveries> taken = new ArrayList<>();
  private Deliveries[] segmentOwners = new Deliveries[8];
  private int[] segmentIndexes = new int[8];

  LoopInbox(EventExecutor loop) {
    this.loop = loop;
  }

  EventExecutor loop() {
    return loop;
  }

  /** Routing thread: queues a hand-over, waking the loop unless a run is already pending. */
  void add(Deliveries deliveries) {
    queued.offer(deliveries);
    if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
      try {
        loop.execute(this);
      } catch (RejectedExecutionException e) {
        releaseQueued(); // the server is stopping: nobody will read these
        scheduled.set(false); // and whatever comes later is released the same way
      }
    }
  }

  @Override
  public void run() {
    scheduled.set(false); // before taking: a hand-over queued from now on wakes the loop again
    Deliveries deliveries;
    while ((deliveries = queued.poll()) != null) {
      taken.add(deliveries);
    }
    try {
      deliverTaken();
    } finally {
      taken.forEach(Deliveries::release);
      taken.clear();
    }
  }

  private void deliverTaken() {
    int count = 0;
    for (Deliveries deliveries : taken) {
      count += deliveries.segments();
    }
    if (count > segmentOwners.length) {
      segmentOwners = Arrays.copyOf(segmentOwners, Math.max(count, segmentOwners.length * 2));
      segmentIndexes = Arrays.copyOf(segmentIndexes, segmentOwners.length);
    }
    int k = 0;
    for (Deliveries deliveries : taken) {
      for (int segment = 0; segment < deliveries.segments(); segment++) {
        segmentOwners[k] = deliveries;
        segmentIndexes[k++] = segment;
      }
    }
    int first = 0;
    while (first < count) {
      int end = first + 1;
      while (end < count
          && segmentOwners[end].sameSubscribers(segmentIndexes[end], segmentOwners[first], segmentIndexes[first])) {
        end++;
      }
      deliverGroup(first, end);
      first = end;
    }
    Arrays.fill(segmentOwners, 0, count, null);
  }

  /** Segments {@code from} to {@code to} reach the same subscribers in the same order: subscriber by subscriber. */
  private void deliverGroup(int from, int to) {
    Deliveries head = segmentOwners[from];
    int headStart = head.start(segmentIndexes[from]);
    int length = head.length(segmentIndexes[from]);
    for (int j = 0; j < length; j++) {
      Subscriber subscriber = head.subscriber(headStart + j);
      for (int g = from; g < to; g++) {
        Deliveries deliveries = segmentOwners[g];
        int segment = segmentIndexes[g];
        subscriber.deliver(deliveries.event(segment), deliveries.frame(deliveries.start(segment) + j).retainedDuplicate());
      }
      subscriber.flush();
    }
  }

  private void releaseQueued() {
    Deliveries deliveries;
    while ((deliveries = queued.poll()) != null) {
      deliveries.release();
    }
  }
}
