package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import dev.slipstream.runtime.route.Matches;
import dev.slipstream.runtime.route.SubscriptionIndex.Subscription;
import io.netty.util.concurrent.EventExecutor;
import java.util.Arrays;
import java.util.HashMap;
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

  /**
   * One pass over the matches, nothing allocated per subscriber (no boxing, no per-subscriber
   * lookup while consecutive subscribers share a frame key): under churn every join or leave in a
   * planned group makes a new list, and each new list is planned again.
   */
  private void plan(Matches<Subscriber> matches, ChangeEvent event) {
    Map<Object, Integer> keys = new HashMap<>();
    Subscriber[] keyEncoders = new Subscriber[4];
    int[] keyTallies = new int[4];
    EventExecutor[] planLoops = new EventExecutor[4];
    Subscriber[][] planSubscribers = new Subscriber[4][];
    int[][] planKeys = new int[4][];
    int[] planCounts = new int[4];
    int loopTotal = 0;
    int capacity = Math.max(16, matches.size() / 4);
    Object lastKey = null;
    int lastKeyIndex = -1;
    for (int run = 0; run < matches.runCount(); run++) {
      for (Subscription<Subscriber> match : matches.run(run)) {
        Subscriber subscriber = match.subscriber();
        if (subscriber.mayMatchTwice() || !subscriber.sameFrameKeyForEveryEvent()) {
          unplannable = true;
          return;
        }
        Object frameKey = subscriber.frameKey(event);
        int key;
        if (frameKey == lastKey || frameKey.equals(lastKey)) {
          key = lastKeyIndex; // consecutive subscribers of one binding: no hashing
        } else {
          Integer known = keys.get(frameKey);
          if (known == null) {
            key = keys.size();
            keys.put(frameKey, key);
            if (key == keyEncoders.length) {
              keyEncoders = Arrays.copyOf(keyEncoders, key * 2);
              keyTallies = Arrays.copyOf(keyTallies, key * 2);
            }
            keyEncoders[key] = subscriber;
          } else {
            key = known;
          }
          lastKey = frameKey;
          lastKeyIndex = key;
        }
        keyTallies[key]++;
        EventExecutor executor = subscriber.executor();
        int loop = 0;
        while (loop < loopTotal && planLoops[loop] != executor) {
          loop++;
        }
        if (loop == loopTotal) {
          if (loop == planLoops.length) {
            planLoops = Arrays.copyOf(planLoops, loop * 2);
            planSubscribers = Arrays.copyOf(planSubscribers, loop * 2);
            planKeys = Arrays.copyOf(planKeys, loop * 2);
            planCounts = Arrays.copyOf(planCounts, loop * 2);
          }
          planLoops[loop] = executor;
          planSubscribers[loop] = new Subscriber[capacity];
          planKeys[loop] = new int[capacity];
          loopTotal++;
        }
        int count = planCounts[loop];
        if (count == planSubscribers[loop].length) {
          planSubscribers[loop] = Arrays.copyOf(planSubscribers[loop], count * 2);
          planKeys[loop] = Arrays.copyOf(planKeys[loop], count * 2);
        }
        planSubscribers[loop][count] = subscriber;
        planKeys[loop][count] = key;
        planCounts[loop] = count + 1;
      }
    }
    loops = Arrays.copyOf(planLoops, loopTotal);
    subscribers = Arrays.copyOf(planSubscribers, loopTotal);
    counts = Arrays.copyOf(planCounts, loopTotal);
    keyIndexes = keys.size() > 1 ? Arrays.copyOf(planKeys, loopTotal) : new int[loopTotal][];
    encoders = Arrays.copyOf(keyEncoders, keys.size());
    keyCounts = Arrays.copyOf(keyTallies, keys.size());
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
