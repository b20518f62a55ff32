package dev.slipstream.runtime.limits;

import java.util.function.LongSupplier;

/**
 * One client's allowance of something per second: refilled at {@code perSecond}, holding at most
 * {@code capacity} (the burst). A charge is always taken, into debt if need be, and tells how
 * long the client must wait before it is even again: the caller throttles by not reading from the
 * client for that long (the message already read is served; TCP holds back the rest).
 *
 * <p>Owned by the client's event loop: not thread-safe.
 */
public final class TokenBucket {

  private final double perNano;
  private final double capacity;
  private final LongSupplier nanoTime;
  private double tokens;
  private long refilledAt;

  public TokenBucket(double perSecond, double capacity, LongSupplier nanoTime) {
    if (perSecond <= 0 || capacity < 1) {
      throw new IllegalArgumentException("a bucket needs a positive rate and a capacity of at least 1");
    }
    this.perNano = perSecond / 1e9;
    this.capacity = capacity;
    this.nanoTime = nanoTime;
    this.tokens = capacity;
    this.refilledAt = nanoTime.getAsLong();
  }

  /** Takes {@code cost}; returns 0 when the client is within its allowance, else the nanoseconds it owes. */
  public long charge(double cost) {
    refill();
    tokens -= cost;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
  }

  /** Whether the client has used more than half its burst: it sends faster than its rate. */
  public boolean heavy() {
    refill();
    return tokens < capacity / 2;
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(capacity, tokens + (now - refilledAt) * perNano);
    refilledAt = now;
  }
}
