package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.EventPosition;
import dev.slipstream.runtime.resume.ResumeRing;
import dev.slipstream.runtime.route.Matches;
import dev.slipstream.runtime.route.SubscriptionIndex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each committed change to every subscriber that wants it, encoding it once per distinct
 * frame (DESIGN principle 3): the first subscriber of a frame key encodes, every other one gets a
 * retained duplicate of the same buffer, made on its event loop. Runs on the replication thread; the subscribers hop to
 * their event loops through each loop's {@link LoopInbox}: one hand-over per loop and batch (the
 * transactions the slot's reader found arrived together; one transaction outside a batch), not per
 * subscriber or event, and one task per loop for everything handed over while it was busy, so
 * nothing here waits on a client, a batch to thousands of subscribers wakes each loop once, and a
 * loop that is behind delivers several transactions per connection and flush.
 *
 * <p>Each event goes into the {@link ResumeRing} before it is routed, so a client registering
 * concurrently finds it either in the ring or live (see the SSE resume logic).
 */
public final class FanOut implements ChangeSink {

  private final SubscriptionIndex<Subscriber> index;
  private final ResumeRing ring;
  private final ByteBufAllocator allocator;
  private final FanOutMetrics metrics;
  private final List<Consumer<ChangeEvent.DatabaseMessage>> messageListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong committedLsn = new AtomicLong();
  /** The last event taken, whoever fed it (the slot, or the leader's relay): where a new feeder resumes after. */
  private volatile EventPosition lastPosition;
  /**
   * Each event loop's inbox, and what was routed to it but not yet handed over, side by side. Owned
   * by the replication thread, handed over at commit. Arrays, not a map: connections take the loops
   * in turn, so consecutive subscribers are on different loops, and a map lookup (with a capturing
   * lambda) per subscriber was a fifth of the routing thread's profile; there are only a few loops.
   */
  private LoopInbox[] inboxes = new LoopInbox[4];
  private Deliveries[] pending = new Deliveries[4];
  private int loopCount;
  private int pendingDeliveries;
  private final RoutePlan plan = new RoutePlan();
  /** Between batchStarts and batchEnds: commits do not hand over, the batch's end does (replication thread). */
  private boolean inBatch;
  /**
   * Frames held back at most before a hand-over, whatever the transaction's size: 2 MiB of
   * references. Large enough that a transaction of ten rows to 15,000 subscribers goes to each
   * loop in one hand-over (each connection then gets its ten frames in one write and one flush).
   */
  static final int MAX_PENDING_DELIVERIES = 1 << 18;
  private static final long SKIP_LOG_INTERVAL_NANOS = 60_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(FanOut.class);
  /** When a skipped subscriber was last logged (replication thread only). */
  private long lastSkipLog = System.nanoTime() - SKIP_LOG_INTERVAL_NANOS - 1;

  public FanOut(SubscriptionIndex<Subscriber> index, ResumeRing ring, ByteBufAllocator allocator,
      FanOutMetrics metrics) {
    this.index = index;
    this.ring = ring;
    this.allocator = allocator;
    this.metrics = metrics;
    // A filter that fails for one change (a claim rule or a row filter meeting a value it cannot
    // compare) skips its subscriber for that change only.
    index.onFilterFailure((subscription, event, error) -> {
      metrics.skippedByFilter();
      skip(subscription.subscriber(), event, "its filter failed for it", error);
    });
  }

  /** A subscriber the event matched but could not reach: counted, logged (at most once a minute), told. */
  private void skip(Subscriber subscriber, ChangeEvent event, String why, RuntimeException error) {
    long now = System.nanoTime();
    if (now - lastSkipLog > SKIP_LOG_INTERVAL_NANOS) {
      lastSkipLog = now;
      log.warn("Skipped a subscriber for the change at {}: {} ({}); every other subscriber got it", event.position(), why,
          error.toString());
    }
    try {
      subscriber.skipped(event, "the change at " + event.position() + " was not delivered to this subscription: " + why);
    } catch (RuntimeException e) {
      log.debug("A skipped subscriber could not be told", e);
    }
  }

  /** Also called with every {@code pg_logical_emit_message} (heartbeats, broadcasts from the database). */
  public void onDatabaseMessage(Consumer<ChangeEvent.DatabaseMessage> listener) {
    messageListeners.add(listener);
  }

  @Override
  public void accept(ChangeEvent event) {
    lastPosition = event.position();
    metrics.eventReceived(event);
    if (event instanceof ChangeEvent.DatabaseMessage message) {
      messageListeners.forEach(listener -> listener.accept(message));
      return;
    }
    ring.add(event);
    Matches<Subscriber> matches = index.match(event);
    if (matches.isEmpty()) {
      return;
    }
    EncodedChange encoded = new EncodedChange(event);
    if (plan.covers(matches) && routeByPlan(event, encoded)) {
      return;
    }
    routeOneByOne(event, encoded, matches);
    plan.learn(matches, event);
  }

  /** Routes each match in turn: its frame key, its loop. */
  private void routeOneByOne(ChangeEvent event, EncodedChange encoded, Matches<Subscriber> matches) {
    Map<Object, ByteBuf> frames = null;
    Set<Subscriber> several = null;
    long bytes = 0;
    int count = 0;
    // Each loop gets about its share of the matches (connections take the loops in turn).
    int expected = Math.max(16, matches.size() / Math.max(1, loopCount));
    Object lastKey = null;
    ByteBuf lastFrame = null;
    try {
      for (var match : matches) {
        Subscriber subscriber = match.subscriber();
        if (subscriber.mayMatchTwice()) {
          // A Phoenix channel with two bindings that both match gets one push (with both ids), not two.
          if (several == null) {
            several = Collections.newSetFromMap(new IdentityHashMap<>());
          }
          if (!several.add(subscriber)) {
            continue;
          }
        }
        ByteBuf frame;
        try {
          Object key = subscriber.frameKey(event);
          if (key == lastKey || key.equals(lastKey)) {
            frame = lastFrame; // consecutive subscribers of one binding: no hashing, no lookup
          } else {
            if (frames == null) {
              frames = new HashMap<>();
            }
            frame = frames.computeIfAbsent(key, k -> subscriber.encode(event, encoded, allocator));
            lastKey = key;
            lastFrame = frame;
          }
        } catch (RuntimeException e) {
          // This subscriber's frame could not be made; the others still get theirs.
          metrics.skippedByEncoding();
          skip(subscriber, event, "its frame could not be encoded", e);
          continue;
        }
        bytes += frame.readableBytes();
        deliveriesFor(subscriber.executor(), expected).add(event, subscriber, frame);
        count++;
      }
    } finally {
      if (frames != null) {
        frames.values().forEach(ByteBuf::release);
      }
    }
    routed(count, bytes);
  }

  /**
   * Routes an event that matched the planned subscriptions: one frame per distinct key, each
   * loop's subscribers copied in one piece. False, with nothing routed, if a frame cannot be
   * made: then each subscriber is routed in turn and only the ones it fails for are skipped.
   */
  private boolean routeByPlan(ChangeEvent event, EncodedChange encoded) {
    ByteBuf[] frames = new ByteBuf[plan.keyCount()];
    try {
      for (int key = 0; key < frames.length; key++) {
        frames[key] = plan.encoder(key).encode(event, encoded, allocator);
      }
    } catch (RuntimeException e) {
      for (ByteBuf frame : frames) {
        if (frame != null) {
          frame.release();
        }
      }
      return false;
    }
    long bytes = 0;
    for (int key = 0; key < frames.length; key++) {
      bytes += (long) frames[key].readableBytes() * plan.subscribersWithKey(key);
    }
    for (int loop = 0; loop < plan.loopCount(); loop++) {
      int count = plan.count(loop);
      deliveriesFor(plan.loop(loop), count).addAll(event, plan.subscribers(loop), count, plan.keyIndexes(loop), frames);
    }
    for (ByteBuf frame : frames) {
      frame.release(); // the deliveries hold their own references
    }
    routed(plan.size(), bytes);
    return true;
  }

  private void routed(int count, long bytes) {
    pendingDeliveries += count;
    metrics.delivered(count, bytes);
    if (pendingDeliveries >= MAX_PENDING_DELIVERIES) {
      handOverPending(); // a large transaction: do not hold its frames until the commit
    }
  }

  /**
   * Hands everything routed since the last hand-over to the event loops: to each loop's inbox,
   * all of its subscribers' frames, in order. Called at the end of a batch (everything the slot's
   * reader found arrived at once), at each commit outside a batch (the relay's feed), and on the way
   * when a transaction is large.
   */
  private void handOverPending() {
    for (int i = 0; i < loopCount; i++) {
      if (pending[i] != null) {
        inboxes[i].add(pending[i]);
        pending[i] = null;
      }
    }
    pendingDeliveries = 0;
  }

  /** The deliveries pending for {@code loop}, made (for about {@code capacity} frames) on first use. */
  private Deliveries deliveriesFor(EventExecutor loop, int capacity) {
    int i = 0;
    while (i < loopCount && inboxes[i].loop() != loop) {
      i++;
    }
    if (i == loopCount) {
      if (loopCount == inboxes.length) {
        inboxes = Arrays.copyOf(inboxes, loopCount * 2);
        pending = Arrays.copyOf(pending, loopCount * 2);
      }
      inboxes[loopCount++] = new LoopInbox(loop);
    }
    if (pending[i] == null) {
      pending[i] = new Deliveries(capacity);
    }
    return pending[i];
  }

  @Override
  public void committed(long endLsn) {
    if (!inBatch) {
      handOverPending();
    }
    committedLsn.set(endLsn);
    metrics.committed(endLsn);
  }

  @Override
  public void batchStarts() {
    inBatch = true;
  }

  /** One task per loop for all the batch's transactions: under load, fewer wake-ups and flushes per event. */
  @Override
  public void batchEnds() {
    inBatch = false;
    handOverPending();
  }

  @Override
  public void streamStartsAt(long confirmedLsn, long serverWalEnd) {
    ring.startsAt(confirmedLsn, serverWalEnd);
  }

  public long committedLsn() {
    return committedLsn.get();
  }

  /** The position of the last event taken; null before the first. */
  public EventPosition lastPosition() {
    return lastPosition;
  }

  /**
   * What was committed after the last event taken and before {@code resumeLsn} will never come
   * (this pod, a follower, fell too far behind the leader's relay): clients resuming from before it
   * are told of the gap.
   */
  public void gap(long resumeLsn) {
    ring.gapBefore(resumeLsn);
  }

  public ResumeRing ring() {
    return ring;
  }

  public SubscriptionIndex<Subscriber> index() {
    return index;
  }
}
