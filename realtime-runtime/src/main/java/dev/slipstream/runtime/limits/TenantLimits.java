package dev.slipstream.runtime.limits;

/**
 * The tenant's limits ({@code spec.limits} of its {@code RealtimeTenant}, passed in by the
 * operator), enforced per runtime process with the messages Supabase Realtime's own limits send,
 * so realtime-js shows users the same errors.
 *
 * @param maxClients WebSocket and SSE connections at once
 * @param maxChannelsPerClient channels one WebSocket may have joined at once
 * @param maxJoinsPerSecond channel joins per second, all clients together
 * @param maxEventsPerSecond client messages (broadcasts, presence) per second, all clients together
 * @param maxPayloadBytes the largest broadcast or presence payload accepted
 */
public record TenantLimits(int maxClients, int maxChannelsPerClient, int maxJoinsPerSecond, int maxEventsPerSecond,
    int maxPayloadBytes) {

  /** The defaults of the RealtimeTenant CRD. */
  public static final TenantLimits DEFAULTS = new TenantLimits(50_000, 100, 500, 10_000, 1 << 20);

  public TenantLimits {
    positive("maxClients", maxClients);
    positive("maxChannelsPerClient", maxChannelsPerClient);
    positive("maxJoinsPerSecond", maxJoinsPerSecond);
    positive("maxEventsPerSecond", maxEventsPerSecond);
    positive("maxPayloadBytes", maxPayloadBytes);
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }
}
