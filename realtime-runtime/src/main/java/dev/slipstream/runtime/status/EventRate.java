package dev.slipstream.runtime.status;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Events per second over the last minute, from a running count sampled at each report: the
 * difference between now and the oldest sample not older than the window, over the time between
 * them. One owner (the reporting thread).
 */
final class EventRate {

  private static final long WINDOW_NANOS = 60_000_000_000L;

  private record Sample(long nanos, double count) {
  }

  private final Deque<Sample> samples = new ArrayDeque<>();

  /** Records {@code count} at {@code nanos} (System.nanoTime) and returns the rate; 0 until two samples. */
  double sample(long nanos, double count) {
    samples.addLast(new Sample(nanos, count));
    while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
      samples.removeFirst();
    }
    Sample oldest = samples.peekFirst();
    long elapsed = nanos - oldest.nanos();
    return elapsed <= 0 ? 0 : (count - oldest.count()) * 1e9 / elapsed;
  }
}
