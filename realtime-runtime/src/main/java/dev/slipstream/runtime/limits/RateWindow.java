package dev.slipstream.runtime.limits;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} acquisitions in each wall-clock second, shared by every event loop
 * without a lock: one atomic word holds the current second (high bits) and its count (low 24
 * bits). Fixed windows let a burst of up to twice the rate straddle a second boundary, which is
 * what Supabase's per-second counters allow too, and cost one CAS per acquisition.
 */
public final class RateWindow {

  private static final int COUNT_BITS = 24;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
  /** The second number keeps the other 40 bits: it wraps after 34,000 years of uptime. */
  private static final long SECOND_MASK = -1L >>> COUNT_BITS;

  private final long perSecond;
  private final LongSupplier nanoTime;
  private final AtomicLong state = new AtomicLong();

  public RateWindow(int perSecond) {
    this(perSecond, System::nanoTime);
  }

  RateWindow(int perSecond, LongSupplier nanoTime) {
    this.perSecond = Math.min(perSecond, COUNT_MASK);
    this.nanoTime = nanoTime;
  }

  /** Takes one from this second's allowance; false when it is used up. */
  public boolean tryAcquire() {
    return tryAcquireBelow(perSecond);
  }

  /**
   * Takes one from this second's allowance while fewer than {@code ceiling} (at most the whole
   * allowance) were taken in this second; false otherwise.
   */
  public boolean tryAcquireBelow(long ceiling) {
    long limit = Math.min(ceiling, perSecond);
    long second = (nanoTime.getAsLong() / 1_000_000_000L) & SECOND_MASK;
    while (true) {
      long current = state.get();
      long next;
      if (current >>> COUNT_BITS != second) {
        if (limit < 1) {
          return false;
        }
        next = (second << COUNT_BITS) | 1; // a new second: its first acquisition
      } else if ((current & COUNT_MASK) >= limit) {
        return false;
      } else {
        next = current + 1;
      }
      if (state.compareAndSet(current, next)) {
        return true;
      }
    }
  }
}
