package dev.slipstream.operator.tenant;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code slipstream_tenant_slot_lag_bytes{namespace,tenant,slot}}: each tenant's slot lag as the
 * operator last measured it ({@code pg_current_wal_lsn() - confirmed_flush_lsn}), so an alert can
 * fire before a stuck slot fills the database's disk. A tenant's gauge goes with the tenant.
 */
public final class SlotLagMetrics {

  static final String NAME = "slipstream.tenant.slot.lag.bytes";

  private final MeterRegistry registry;
  private final Map<String, Entry> tenants = new ConcurrentHashMap<>();

  public SlotLagMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records the lag just measured; a slot renamed (a new tenant of the same name) replaces the old gauge. */
  void record(String namespace, String tenant, String slot, long lagBytes) {
    String key = namespace + '/' + tenant;
    Entry entry = tenants.compute(key, (k, existing) -> {
      if (existing != null && existing.slot.equals(slot)) {
        return existing;
      }
      if (existing != null) {
        registry.remove(existing.gauge);
      }
      AtomicLong value = new AtomicLong();
      Gauge gauge = Gauge.builder(NAME, value, AtomicLong::get)
          .description("Bytes of WAL the tenant's replication slot holds back (last operator measurement)")
          .baseUnit("bytes")
          .tags(Tags.of("namespace", namespace, "tenant", tenant, "slot", slot))
          .register(registry);
      return new Entry(slot, value, gauge);
    });
    entry.value.set(lagBytes);
  }

  void forget(String namespace, String tenant) {
    Entry entry = tenants.remove(namespace + '/' + tenant);
    if (entry != null) {
      registry.remove(entry.gauge);
    }
  }

  private record Entry(String slot, AtomicLong value, Gauge gauge) {
  }
}
