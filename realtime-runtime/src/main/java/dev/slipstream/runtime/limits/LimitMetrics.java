package dev.slipstream.runtime.limits;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;

/** {@code slipstream_limit_rejections_total{limit=...}}: what each limit turned away. */
public final class LimitMetrics {

  /** The limits, as they are named in {@code spec.limits} and in the metric's tag. */
  public enum Limit {
    MAX_CLIENTS("maxClients"),
    MAX_CHANNELS_PER_CLIENT("maxChannelsPerClient"),
    MAX_JOINS_PER_SECOND("maxJoinsPerSecond"),
    MAX_EVENTS_PER_SECOND("maxEventsPerSecond"),
    MAX_PAYLOAD_BYTES("maxPayloadBytes");

    private final String field;

    Limit(String field) {
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  private final Map<Limit, Counter> counters = new EnumMap<>(Limit.class);

  public LimitMetrics(MeterRegistry registry) {
    for (Limit limit : Limit.values()) {
      counters.put(limit, Counter.builder("slipstream.limit.rejections")
          .description("Requests turned away by a tenant limit")
          .tag("limit", limit.field())
          .register(registry));
    }
  }

  public void rejected(Limit limit) {
    counters.get(limit).increment();
  }

  public double count(Limit limit) {
    return counters.get(limit).count();
  }
}
