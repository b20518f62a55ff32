package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.route.Matches;
import dev.slipstream.runtime.route.SubscriptionIndex.Subscription;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a list of matches is routed, kept while events keep matching the very same subscriptions in
 * the same order (one table's changes while nobody joins or leaves its filter groups): routing
 * such an event costs per event, not per subscriber. Whether the list is the same is known from
 * the index's snapshots ({@link Matches#sameAs}: the same chunks, compared as references, a few
 * dozen for 15,000 subscribers; nothing dereferenced), one frame is encoded per distinct frame
 * key, and each loop's subscribers are copied into its deliveries as one array. Before, the
 * routing thread loaded every subscriber of every event (its subscription, its frame key, its
 * loop): 15,000 cache misses or more per event in the fan-out benchmark, as much CPU as all event
 * loops together.
 *
 * <p>A list is planned the second time in a row it is seen (so a list that changes with every
 * event costs nothing but a reference kept, not a plan), and only when each of its subscribers has
 * {@linkplain Subscriber#sameFrameKeyForEveryEvent one frame key for every event} and cannot match
 * twice. The plan is dropped at the first event whose matches are other chunks: a subscription
 * added to or removed from one of its groups makes new ones (a subscriber that left is kept until
 * then: its connection's buffers are freed with its channel either way). Changes to other groups
 * leave it in place. Replication thread only.
 */
final class RoutePlan {

  /** The matches last seen (immutable snapshots of the index); a plan of them when {@link #planned}. */
  private Matches<Subscriber> matched;
  private boolean planned;
  /** The list last seen cannot be planned (a subscriber with several bindings): not tried again. */
  private boolean unplannable;
  /** Per loop: its subscribers in match order, and for each the index of its frame key (null: all the first). */
  private EventExecutor[] loops;
  private Subscriber[][] subscribers;
  private int[] counts;
  private int[][] keyIndexes;
  /** Per distinct frame key: the first subscriber with it (it encodes the frame) and how many have it. */
  private Subscriber[] encoders;
  private int[] keyCounts;

  /** Whether {@code matches} are the planned subscriptions. */
  boolean covers(Matches<Subscriber> matches) {
    return planned && matches.sameAs(matched);
  }

  /**
   * After routing {@code matches} one by one: plans them if they were also the previous event's
   * list, else remembers them as the candidate.
   */
  void learn(Matches<Subscriber> matches, ChangeEvent event) {
    if (matches.sameAs(matched)) {
      if (!planned && !unplannable) {
        plan(matches, event);
      }
      return;
    }
    forget();
    matched = matches;
  }

  private void plan(Matches<Subscriber> matches, ChangeEvent event) {
    Map<Object, Integer> keys = new HashMap<>();
    List<Subscriber> keyEncoders = new ArrayList<>();
    List<Integer> keyTallies = new ArrayList<>();
    List<EventExecutor> planLoops = new ArrayList<>();
    List<Subscriber[]> planSubscribers = new ArrayList<>();
    List<int[]> planKeys = new ArrayList<>();
    List<Integer> planCounts = new ArrayList<>();
    for (Subscription<Subscriber> match : matches) {
      Subscriber subscriber = match.subscriber();
      if (subscriber.mayMatchTwice() || !subscriber.sameFrameKeyForEveryEvent()) {
        unplannable = true;
        return;
      }
      int key = keys.computeIfAbsent(subscriber.frameKey(event), k -> {
        keyEncoders.add(subscriber);
        keyTallies.add(0);
        return keyEncoders.size() - 1;
      });
      keyTallies.set(key, keyTallies.get(key) + 1);
      int loop = planLoops.indexOf(subscriber.executor());
      if (loop < 0) {
        loop = planLoops.size();
        planLoops.add(subscriber.executor());
        planSubscribers.add(new Subscriber[16]);
        planKeys.add(new int[16]);
        planCounts.add(0);
      }
      int count = planCounts.get(loop);
      if (count == planSubscribers.get(loop).length) {
        planSubscribers.set(loop, Arrays.copyOf(planSubscribers.get(loop), count * 2));
        planKeys.set(loop, Arrays.copyOf(planKeys.get(loop), count * 2));
      }
      planSubscribers.get(loop)[count] = subscriber;
      planKeys.get(loop)[count] = key;
      planCounts.set(loop, count + 1);
    }
    loops = planLoops.toArray(EventExecutor[]::new);
    subscribers = planSubscribers.toArray(Subscriber[][]::new);
    counts = planCounts.stream().mapToInt(Integer::intValue).toArray();
    keyIndexes = new int[loops.length][];
    if (keyEncoders.size() > 1) {
      keyIndexes = planKeys.toArray(int[][]::new);
    }
    encoders = keyEncoders.toArray(Subscriber[]::new);
    keyCounts = keyTallies.stream().mapToInt(Integer::intValue).toArray();
    planned = true;
  }

  private void forget() {
    planned = false;
    unplannable = false;
    matched = null;
    loops = null;
    subscribers = null;
    counts = null;
    keyIndexes = null;
    encoders = null;
    keyCounts = null;
  }

  int loopCount() {
    return loops.length;
  }

  EventExecutor loop(int loop) {
    return loops[loop];
  }

  Subscriber[] subscribers(int loop) {
    return subscribers[loop];
  }

  int count(int loop) {
    return counts[loop];
  }

  /** Each subscriber's frame key index, or null when there is one key. */
  int[] keyIndexes(int loop) {
    return keyIndexes[loop];
  }

  int keyCount() {
    return encoders.length;
  }

  Subscriber encoder(int key) {
    return encoders[key];
  }

  int subscribersWithKey(int key) {
    return keyCounts[key];
  }

  int size() {
    return matched.size();
  }
}
