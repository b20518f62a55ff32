package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.auth.ChannelRules;
import dev.slipstream.runtime.auth.TokenVerifier;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.limits.TenantRate;
import dev.slipstream.runtime.resume.Resume;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.route.PublishedTables;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.transport.ConnectionMetrics;
import java.time.Clock;

/**
 * What every socket's {@link PhoenixSocketHandler} shares: the subscription index, the topics,
 * token verification, the row access rules and who may join which private channel, the tenant's limits with their tenant-wide rates, the
 * metrics, the published tables subscriptions are checked against, and
 * how rejoins replay what they missed. All of it is safe to use from any event loop.
 */
public record ChannelContext(SubscriptionIndex<Subscriber> index, Topics topics, TokenVerifier verifier,
    AccessPolicy access, ChannelRules channelRules, TenantLimits limits, TenantRate joins, TenantRate events,
    LimitMetrics limitMetrics, ConnectionMetrics connectionMetrics, Clock clock, PublishedTables catalog,
    Resume resume) {

  public static ChannelContext of(SubscriptionIndex<Subscriber> index, Topics topics, TokenVerifier verifier,
      AccessPolicy access, ChannelRules channelRules, TenantLimits limits, LimitMetrics limitMetrics,
      ConnectionMetrics connectionMetrics, Clock clock, PublishedTables catalog, Resume resume) {
    return new ChannelContext(index, topics, verifier, access, channelRules, limits,
        new TenantRate(limits.maxJoinsPerSecond()), new TenantRate(limits.maxEventsPerSecond()), limitMetrics,
        connectionMetrics, clock, catalog, resume);
  }
}
