package dev.slipstream.runtime.limits;

import java.util.function.LongSupplier;

/**
 * One connection's share of the tenant's rates: joins (bursts up to {@code maxChannelsPerClient},
 * since a reconnecting client rejoins all its channels at once) and messages (bursts of two
 * seconds' worth). A client over its share is throttled; only then do the tenant-wide windows
 * ({@link TenantRate}) see it as heavy.
 *
 * <p>Owned by the connection's event loop.
 */
public final class ClientShare {

  private final TokenBucket joins;
  private final TokenBucket messages;

  public ClientShare(TenantLimits limits, LongSupplier nanoTime) {
    int joinRate = limits.maxJoinsPerSecondPerClient();
    int messageRate = limits.maxEventsPerSecondPerClient();
    this.joins = new TokenBucket(joinRate, Math.max(joinRate, limits.maxChannelsPerClient()), nanoTime);
    this.messages = new TokenBucket(messageRate, 2.0 * messageRate, nanoTime);
  }

  public TokenBucket joins() {
    return joins;
  }

  public TokenBucket messages() {
    return messages;
  }
}
