package dev.slipstream.runtime.route;

import dev.slipstream.runtime.route.SubscriptionIndex.Subscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The subscriptions an event matched, as runs: each run is a chunk of a filter group's snapshot,
 * taken whole (the group's filter admitted the event), never copied element by element. An
 * event to 15,000 subscribers of one filter is ~30 references here, whatever the group's size.
 *
 * <p>Runs are the index's own immutable chunks: read them, never write them. Two {@code Matches}
 * with the {@linkplain #sameAs same runs} hold the same subscriptions in the same order, which is
 * how a route plan knows it still applies without looking at a subscriber.
 *
 * @param <T> what a subscription delivers to
 */
public final class Matches<T> implements Iterable<Subscription<T>> {

  private static final Subscription<?>[][] NONE = new Subscription<?>[0][];

  private Subscription<?>[][] runs = NONE;
  private int runCount;
  private int size;

  Matches() {
  }

  /** Adds a group's snapshot: every one of its chunks, as they are. */
  void addAll(SnapshotArray.Member[][] chunks) {
    if (runCount + chunks.length > runs.length) {
      runs = Arrays.copyOf(runs, Math.max(4, Math.max(runs.length * 2, runCount + chunks.length)));
    }
    for (SnapshotArray.Member[] chunk : chunks) {
      runs[runCount++] = (Subscription<?>[]) chunk;
      size += chunk.length;
    }
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  public int runCount() {
    return runCount;
  }

  /** The {@code i}th run: the index's chunk itself, to be read only. */
  @SuppressWarnings("unchecked")
  public Subscription<T>[] run(int i) {
    return (Subscription<T>[]) runs[i];
  }

  /** Whether {@code other} holds the very same runs (the same chunks, not equal ones) in the same order. */
  public boolean sameAs(Matches<T> other) {
    if (other == null || other.runCount != runCount || other.size != size) {
      return false;
    }
    for (int i = 0; i < runCount; i++) {
      if (other.runs[i] != runs[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Iterator<Subscription<T>> iterator() {
    return new Iterator<>() {
      private int run;
      private int index;

      @Override
      public boolean hasNext() {
        return run < runCount;
      }

      @Override
      public Subscription<T> next() {
        if (run >= runCount) {
          throw new NoSuchElementException();
        }
        Subscription<T> next = run(run)[index++];
        if (index == runs[run].length) {
          run++;
          index = 0;
        }
        return next;
      }
    };
  }

  public Stream<Subscription<T>> stream() {
    return StreamSupport.stream(spliterator(), false);
  }

  public List<Subscription<T>> toList() {
    List<Subscription<T>> list = new ArrayList<>(size);
    forEach(list::add);
    return list;
  }
}
