package dev.slipstream.runtime.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code slipstream_limit_rejections_total{limit=...}}: what each limit turned away; and
 * {@code slipstream_client_throttles_total{limit=...}}: how often a client over its own share was
 * throttled (its socket not read for a while).
 */
public final class LimitMetrics {

  private final Map<Limit, Counter> rejections = new EnumMap<>(Limit.class);
  private final Map<Share, Counter> throttles = new EnumMap<>(Share.class);

  public LimitMetrics(MeterRegistry registry) {
    for (Limit limit : Limit.values()) {
      rejections.put(limit, Counter.builder("slipstream.limit.rejections")
          .description("Requests turned away by a tenant limit")
          .tag("limit", limit.field())
          .register(registry));
    }
    for (Share share : Share.values()) {
      throttles.put(share, Counter.builder("slipstream.client.throttles")
          .description("Times a client over its own share was throttled (its socket not read for a while)")
          .tag("limit", share.field())
          .register(registry));
    }
  }

  public void rejected(Limit limit) {
    rejections.get(limit).increment();
  }

  public double count(Limit limit) {
    return rejections.get(limit).count();
  }

  public void throttled(Share share) {
    throttles.get(share).increment();
  }

  public double count(Share share) {
    return throttles.get(share).count();
  }
}
