package dev.slipstream.runtime.fanout;

import dev.slipstream.runtime.change.ChangeEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** What the fan-out counts, as Prometheus metrics ({@code slipstream_*}). */
public final class FanOutMetrics {

  private final Counter eventsIn;
  private final Counter deliveries;
  private final Counter bytesOut;
  private final Counter filterErrors;
  private final Counter encodeErrors;
  private final Clock clock;
  private final AtomicLong lastDispatchedLsn = new AtomicLong();
  private final AtomicLong replicationLagMillis = new AtomicLong();

  public FanOutMetrics(MeterRegistry registry, Clock clock) {
    this.clock = clock;
    this.eventsIn = Counter.builder("slipstream.events.in").description("Changes received from the slot")
        .register(registry);
    this.deliveries = Counter.builder("slipstream.events.out").description("Frames handed to client connections")
        .register(registry);
    this.bytesOut = Counter.builder("slipstream.bytes.out").baseUnit("bytes")
        .description("Bytes of frames handed to client connections").register(registry);
    this.filterErrors = Counter.builder("slipstream.subscriber.errors").tag("stage", "filter")
        .description("Subscribers skipped for one change because their filter or encoding failed for it")
        .register(registry);
    this.encodeErrors = Counter.builder("slipstream.subscriber.errors").tag("stage", "encode")
        .description("Subscribers skipped for one change because their filter or encoding failed for it")
        .register(registry);
    registry.gauge("slipstream.replication.last.dispatched.lsn", lastDispatchedLsn);
    registry.gauge("slipstream.replication.lag.millis", replicationLagMillis);
  }

  void eventReceived(ChangeEvent event) {
    eventsIn.increment();
    if (event.commitTime() != null) {
      replicationLagMillis.set(Math.max(0, Duration.between(event.commitTime(), clock.instant()).toMillis()));
    }
  }

  /** Called once per event with its totals: per-delivery counting costs more than it tells. */
  void delivered(long frames, long bytes) {
    deliveries.increment(frames);
    bytesOut.increment(bytes);
  }

  void skippedByFilter() {
    filterErrors.increment();
  }

  void skippedByEncoding() {
    encodeErrors.increment();
  }

  /** Subscribers skipped so far, filter and encoding failures together. */
  public double subscriberErrors() {
    return filterErrors.count() + encodeErrors.count();
  }

  void committed(long lsn) {
    lastDispatchedLsn.set(lsn);
  }

  /** Changes taken so far. */
  public double eventsIn() {
    return eventsIn.count();
  }

  public long replicationLagMillis() {
    return replicationLagMillis.get();
  }
}
