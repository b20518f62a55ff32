package dev.slipstream.runtime.limits;

import java.time.Duration;

/**
 * The tenant's limits ({@code spec.limits} of its {@code RealtimeTenant}, passed in by the
 * operator), enforced per runtime process with the messages Supabase Realtime's own limits send,
 * so realtime-js shows users the same errors. The tenant-wide rates are totals; each client gets
 * a share of them ({@link ClientShare}) so that one client's flood is throttled before another
 * client is refused anything.
 *
 * @param maxClients WebSocket and SSE connections at once
 * @param maxChannelsPerClient channels one WebSocket may have joined at once
 * @param maxJoinsPerSecond channel joins per second, all clients together
 * @param maxEventsPerSecond client messages (broadcasts, presence) per second, all clients together
 * @param maxPayloadBytes the largest broadcast payload accepted
 * @param maxJoinsPerSecondPerClient one connection's share of the joins (bursts up to
 *     {@code maxChannelsPerClient}, as a reconnecting client rejoins everything at once)
 * @param maxEventsPerSecondPerClient one connection's share of the messages (bursts of two seconds' worth)
 * @param maxBindingsPerChannel postgres_changes bindings in one join
 * @param maxBindingsPerClient postgres_changes bindings over all channels of one connection
 * @param maxFilterLength characters of one filter string
 * @param maxFilterValues values of one {@code in.(...)} filter
 * @param maxTopicLength characters of a channel topic
 * @param maxPresencePayloadBytes JSON bytes of one presence {@code track} payload
 * @param maxPresencesPerClient channels of one connection tracking presence at once
 * @param joinTimeout how long an upgraded WebSocket may stay without joining a channel
 */
public record TenantLimits(int maxClients, int maxChannelsPerClient, int maxJoinsPerSecond, int maxEventsPerSecond,
    int maxPayloadBytes, int maxJoinsPerSecondPerClient, int maxEventsPerSecondPerClient, int maxBindingsPerChannel,
    int maxBindingsPerClient, int maxFilterLength, int maxFilterValues, int maxTopicLength,
    int maxPresencePayloadBytes, int maxPresencesPerClient, Duration joinTimeout) {

  /** The defaults of the RealtimeTenant CRD. */
  public static final TenantLimits DEFAULTS = new TenantLimits(50_000, 100, 500, 10_000, 1 << 20, 10, 100, 100, 500,
      4096, 100, 256, 10 << 10, 10, Duration.ofSeconds(30));

  public TenantLimits {
    positive("maxClients", maxClients);
    positive("maxChannelsPerClient", maxChannelsPerClient);
    positive("maxJoinsPerSecond", maxJoinsPerSecond);
    positive("maxEventsPerSecond", maxEventsPerSecond);
    positive("maxPayloadBytes", maxPayloadBytes);
    positive("maxJoinsPerSecondPerClient", maxJoinsPerSecondPerClient);
    positive("maxEventsPerSecondPerClient", maxEventsPerSecondPerClient);
    positive("maxBindingsPerChannel", maxBindingsPerChannel);
    positive("maxBindingsPerClient", maxBindingsPerClient);
    positive("maxFilterLength", maxFilterLength);
    positive("maxFilterValues", maxFilterValues);
    positive("maxTopicLength", maxTopicLength);
    positive("maxPresencePayloadBytes", maxPresencePayloadBytes);
    positive("maxPresencesPerClient", maxPresencesPerClient);
    if (joinTimeout == null || joinTimeout.isNegative() || joinTimeout.isZero()) {
      throw new IllegalArgumentException("joinTimeout must be positive, not " + joinTimeout);
    }
  }

  /** The five limits that predate per-client shares and caps; the rest take their defaults. */
  public TenantLimits(int maxClients, int maxChannelsPerClient, int maxJoinsPerSecond, int maxEventsPerSecond,
      int maxPayloadBytes) {
    this(maxClients, maxChannelsPerClient, maxJoinsPerSecond, maxEventsPerSecond, maxPayloadBytes,
        DEFAULTS.maxJoinsPerSecondPerClient, DEFAULTS.maxEventsPerSecondPerClient, DEFAULTS.maxBindingsPerChannel,
        DEFAULTS.maxBindingsPerClient, DEFAULTS.maxFilterLength, DEFAULTS.maxFilterValues, DEFAULTS.maxTopicLength,
        DEFAULTS.maxPresencePayloadBytes, DEFAULTS.maxPresencesPerClient, DEFAULTS.joinTimeout);
  }

  /** The per-client shares: joins and messages per second. */
  public TenantLimits withClientShares(int joinsPerSecond, int eventsPerSecond) {
    return new TenantLimits(maxClients, maxChannelsPerClient, maxJoinsPerSecond, maxEventsPerSecond, maxPayloadBytes,
        joinsPerSecond, eventsPerSecond, maxBindingsPerChannel, maxBindingsPerClient, maxFilterLength,
        maxFilterValues, maxTopicLength, maxPresencePayloadBytes, maxPresencesPerClient, joinTimeout);
  }

  /** The caps on what one client may hold: bindings, filters, topics, presence. */
  public TenantLimits withCaps(int bindingsPerChannel, int bindingsPerClient, int filterLength, int filterValues,
      int topicLength, int presencePayloadBytes, int presencesPerClient) {
    return new TenantLimits(maxClients, maxChannelsPerClient, maxJoinsPerSecond, maxEventsPerSecond, maxPayloadBytes,
        maxJoinsPerSecondPerClient, maxEventsPerSecondPerClient, bindingsPerChannel, bindingsPerClient, filterLength,
        filterValues, topicLength, presencePayloadBytes, presencesPerClient, joinTimeout);
  }

  public TenantLimits withJoinTimeout(Duration timeout) {
    return new TenantLimits(maxClients, maxChannelsPerClient, maxJoinsPerSecond, maxEventsPerSecond, maxPayloadBytes,
        maxJoinsPerSecondPerClient, maxEventsPerSecondPerClient, maxBindingsPerChannel, maxBindingsPerClient,
        maxFilterLength, maxFilterValues, maxTopicLength, maxPresencePayloadBytes, maxPresencesPerClient, timeout);
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }
}
