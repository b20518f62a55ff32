package dev.slipstream.runtime.replication;

import dev.slipstream.runtime.change.ChangeSink;
import dev.slipstream.runtime.change.EventPosition;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;

/**
 * Everything a pod runs while it reads the tenant's slot: the {@link ReplicationSource}, the
 * {@link Heartbeat} that keeps an idle database's slot moving, and the {@link LagProbe}. A runtime
 * on its own has one for its lifetime; in a tenant of several pods, the leader has one per term of
 * its Lease, and nobody else has any (the slot admits one reader).
 */
public final class SlotReader implements AutoCloseable {

  private final ReplicationSource source;
  private final Heartbeat heartbeat;
  private final LagProbe lagProbe;

  private SlotReader(ReplicationSettings settings, ChangeSink sink, Clock clock, MeterRegistry registry,
      EventPosition resumeAfter, ConfirmGate gate) {
    source = new ReplicationSource(settings, sink, clock).resumeAfter(resumeAfter).gate(gate);
    source.start();
    heartbeat = new Heartbeat(settings, source, settings.heartbeatInterval(), registry);
    lagProbe = new LagProbe(settings, source::flushedLsn, Duration.ofSeconds(5));
  }

  /**
   * Starts reading into {@code sink}, dropping what was dispatched up to {@code resumeAfter} (null:
   * nothing yet), confirming what {@code gate} allows.
   */
  public static SlotReader start(ReplicationSettings settings, ChangeSink sink, Clock clock, MeterRegistry registry,
      EventPosition resumeAfter, ConfirmGate gate) {
    return new SlotReader(settings, sink, clock, registry, resumeAfter, gate);
  }

  public ReplicationSource source() {
    return source;
  }

  /** Bytes of WAL after the confirmed position; -1 until measured. */
  public long lagBytes() {
    return lagProbe.lagBytes();
  }

  public double heartbeatsWritten() {
    return heartbeat.written();
  }

  /** Stops reading; once this returns, the sink is not called any more and the slot is free. */
  @Override
  public void close() {
    heartbeat.close();
    lagProbe.close();
    source.stop();
  }
}
