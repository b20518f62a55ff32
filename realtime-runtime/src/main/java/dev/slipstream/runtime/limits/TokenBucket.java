package dev.slipstream.runtime.limits;

import java.util.function.LongSupplier;

/**
 * One client's allowance of something per second: refilled at {@code perSecond}, holding at most
 * {@code capacity} (the burst). The debt a client runs up tells how long it must wait before it is
 * even again, and the caller throttles by not reading from the client for that long. Messages
 * can be refused: {@link #take} serves a message while the client has some allowance left (the
 * last one may run it into debt) and refuses, without charging, what it sends while in debt, so a
 * client gets exactly its rate however hard it floods. Bytes already read cannot be refused:
 * {@link #charge} takes them, into debt of at most one more {@code capacity}.
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

  /**
   * Takes {@code cost} when the client has some allowance left (into debt if need be) and returns
   * true; returns false, taking nothing, when it is in debt already: refuse what it sent.
   */
  public boolean take(double cost) {
    refill();
    if (tokens <= 0) {
      return false;
    }
    tokens -= cost;
    return true;
  }

  /** Nanoseconds until the client is out of debt; 0 when it is not in debt. */
  public long owedNanos() {
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
  }

  /** Takes {@code cost} whatever the allowance (debt at most one more capacity); returns {@link #owedNanos()}. */
  public long charge(double cost) {
    refill();
    tokens = Math.max(tokens - cost, -capacity);
    return owedNanos();
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
