package dev.slipstream.runtime.limits;

/**
 * A tenant-wide rate (joins or client messages per second, all clients together) that keeps its
 * meaning as the tenant's total, but not at the expense of light clients: a client sending faster
 * than its own share ({@link TokenBucket#heavy()}) may use only three quarters of the tenant's
 * second, so even a flood from many connections leaves a quarter for everyone else. Shared by
 * every event loop, lock-free (see {@link RateWindow}).
 */
public final class TenantRate {

  private final RateWindow window;
  private final long heavyCeiling;

  public TenantRate(int perSecond) {
    this(new RateWindow(perSecond), perSecond);
  }

  TenantRate(RateWindow window, int perSecond) {
    this.window = window;
    this.heavyCeiling = Math.max(1, perSecond * 3L / 4);
  }

  public boolean tryAcquire(boolean heavy) {
    return heavy ? window.tryAcquireBelow(heavyCeiling) : window.tryAcquire();
  }
}
