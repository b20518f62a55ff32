package dev.slipstream.runtime.phoenix;

import dev.slipstream.runtime.auth.TokenVerifier;
import dev.slipstream.runtime.fanout.FanOutMetrics;
import dev.slipstream.runtime.fanout.Subscriber;
import dev.slipstream.runtime.limits.LimitMetrics;
import dev.slipstream.runtime.limits.RateWindow;
import dev.slipstream.runtime.limits.TenantLimits;
import dev.slipstream.runtime.route.AccessPolicy;
import dev.slipstream.runtime.route.SubscriptionIndex;
import dev.slipstream.runtime.resume.ResumeRing;
import dev.slipstream.runtime.route.PublishedColumns;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What every socket's {@link PhoenixSocketHandler} shares: the subscription index, the topics,
 * token verification, the access rules, the tenant's limits with their tenant-wide rate windows,
 * the metrics, the latest snapshot of the published tables subscriptions are checked against, and
 * the resume ring rejoins replay from. All of it is safe to use from any event loop.
 */
public record ChannelContext(SubscriptionIndex<Subscriber> index, Topics topics, TokenVerifier verifier,
    AccessPolicy access, TenantLimits limits, RateWindow joins, RateWindow events, LimitMetrics limitMetrics,
    FanOutMetrics metrics, long clientBufferBytes, Clock clock, Supplier<PublishedColumns> catalog, ResumeRing ring) {

  public static ChannelContext of(SubscriptionIndex<Subscriber> index, Topics topics, TokenVerifier verifier,
      AccessPolicy access, TenantLimits limits, LimitMetrics limitMetrics, FanOutMetrics metrics,
      long clientBufferBytes, Clock clock, Supplier<PublishedColumns> catalog, ResumeRing ring) {
    return new ChannelContext(index, topics, verifier, access, limits, new RateWindow(limits.maxJoinsPerSecond()),
        new RateWindow(limits.maxEventsPerSecond()), limitMetrics, metrics, clientBufferBytes, clock, catalog, ring);
  }
}
