package dev.slipstream.bench.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition the benchmark observes (counts reaching a target), with a deadline. */
public final class Waits {

  private Waits() {
  }

  /** Polls {@code condition} every millisecond until it holds; throws with {@code state} after {@code timeout}. */
  public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> state) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + ": " + state.get());
      }
      LockSupport.parkNanos(1_000_000);
    }
  }

  /** Like {@link #until} but returns false instead of throwing. */
  public static boolean within(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(1_000_000);
    }
    return true;
  }

  /**
   * Waits until {@code done} holds, or until {@code progress} has not changed for {@code quiet}
   * (nothing more is coming), or {@code timeout}; returns whether {@code done} holds.
   */
  public static boolean untilDoneOrQuiet(BooleanSupplier done, java.util.function.LongSupplier progress,
      Duration quiet, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = progress.getAsLong();
    long changedAt = System.nanoTime();
    while (!done.getAsBoolean()) {
      long now = System.nanoTime();
      long p = progress.getAsLong();
      if (p != last) {
        last = p;
        changedAt = now;
      } else if (now - changedAt > quiet.toNanos() || now > deadline) {
        return false;
      }
      LockSupport.parkNanos(1_000_000);
    }
    return true;
  }
}
