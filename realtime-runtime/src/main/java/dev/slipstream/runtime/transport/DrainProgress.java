package dev.slipstream.runtime.transport;

import java.time.Duration;

/**
 * Tells a client that drains slowly from one that has stopped, while its backlog is over its
 * budget: the bytes the socket took from it, sampled every {@link #SAMPLE_INTERVAL}, over the last
 * {@link #WINDOW}. A client that drained fewer than {@link #MIN_PROGRESS_BYTES} over a whole
 * window has stopped; one that keeps draining a burst, however slowly, has not. A fixed "no byte
 * for 2 s" rule cut a healthy reader on a loaded machine (issue #15, "slow is not stopped"): a
 * reader descheduled for a moment drains nothing for a moment.
 *
 * <p>Made only for a connection over its budget, and owned by its event loop.
 */
final class DrainProgress {

  /** How long a client over its budget must show too little progress to count as stopped. */
  static final Duration WINDOW = Duration.ofSeconds(5);
  static final Duration SAMPLE_INTERVAL = Duration.ofMillis(500);
  /** Less than this drained over a whole window is no progress: a few rows of a burst (less for a tiny budget). */
  static final long MIN_PROGRESS_BYTES = 16 * 1024;

  private static final int SAMPLES = (int) (WINDOW.toNanos() / SAMPLE_INTERVAL.toNanos());

  /** Drained counts at the last {@link #SAMPLES} samples, oldest overwritten first. */
  private final long[] drained = new long[SAMPLES];
  private int taken;
  private long overBudgetSince;
  private long lastProgressAt;
  private long lastDrained;
  private final long minProgress;

  /** @param budget the client's byte budget: progress is at least a quarter of it, at most {@link #MIN_PROGRESS_BYTES} */
  DrainProgress(long budget) {
    this.minProgress = Math.max(1, Math.min(MIN_PROGRESS_BYTES, budget / 4));
  }

  /** The backlog went over the budget at {@code now}, with {@code drainedNow} drained so far. */
  void start(long now, long drainedNow) {
    drained[0] = drainedNow; // sample 0
    taken = 1;
    overBudgetSince = now;
    lastProgressAt = now;
    lastDrained = drainedNow;
  }

  /**
   * A sample, one {@link #SAMPLE_INTERVAL} after the previous one (or the start): true when the
   * client has stopped, i.e. a whole window over budget has drained less than {@link #MIN_PROGRESS_BYTES}.
   * Sample k goes to slot k mod {@link #SAMPLES}, where sample k - SAMPLES, one window earlier, was.
   */
  boolean sample(long now, long drainedNow) {
    if (drainedNow > lastDrained) {
      lastProgressAt = now;
      lastDrained = drainedNow;
    }
    long windowAgo = taken >= SAMPLES ? drained[taken % SAMPLES] : Long.MIN_VALUE;
    drained[taken % SAMPLES] = drainedNow;
    taken++;
    return windowAgo != Long.MIN_VALUE && drainedNow - windowAgo < minProgress;
  }

  /** For the log line: how long it went without progress and what it drained while over budget. */
  String describe(long now) {
    long windowAgo = taken >= SAMPLES ? drained[taken % SAMPLES] : lastDrained;
    return (now - lastProgressAt) / 1_000_000 + " ms without progress, "
        + (lastDrained - windowAgo) + " bytes drained in the last " + WINDOW.toSeconds() + " s, over budget for "
        + (now - overBudgetSince) / 1_000_000 + " ms";
  }
}
