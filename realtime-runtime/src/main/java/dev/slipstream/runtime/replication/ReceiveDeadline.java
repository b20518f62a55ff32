package dev.slipstream.runtime.replication;

import java.time.Duration;

/**
 * When a silent replication connection is asked for a sign of life, and when it is given up.
 *
 * <p>A walsender with nothing to send stays silent: it pings only when its reader has not replied
 * for {@code wal_sender_timeout / 2}, and the runtime replies every status interval (10 s), so an
 * idle but healthy stream can bring nothing for as long as the database is idle. A partition that
 * holds packets looks the same, and TCP alone notices it only after hours. So a third of the way
 * into a silence the reader sends a status update asking for a reply (a probe: the walsender answers
 * with a keepalive at once), again every third, and after the whole timeout without a single byte
 * the connection is dropped and opened again. Owned by the replication thread.
 */
final class ReceiveDeadline {

  enum Verdict {
    /** Something arrived recently enough. */
    ALIVE,
    /** Silent for a third of the timeout since the last byte or probe: ask the server for a keepalive. */
    PROBE,
    /** Silent for the whole timeout: the connection is dead. */
    EXPIRED
  }

  private final long timeoutNanos;
  private final long probeNanos;
  private long lastProbeNanos;

  ReceiveDeadline(Duration timeout, long nowNanos) {
    this.timeoutNanos = timeout.toNanos();
    this.probeNanos = timeoutNanos / 3;
    this.lastProbeNanos = nowNanos;
  }

  /** What a silence since {@code lastByteNanos} calls for at {@code nowNanos}; PROBE counts as probed. */
  Verdict check(long lastByteNanos, long nowNanos) {
    long silent = nowNanos - lastByteNanos;
    if (silent >= timeoutNanos) {
      return Verdict.EXPIRED;
    }
    if (silent >= probeNanos && nowNanos - Math.max(lastProbeNanos, lastByteNanos) >= probeNanos) {
      lastProbeNanos = nowNanos;
      return Verdict.PROBE;
    }
    return Verdict.ALIVE;
  }

  /** How long to wait for bytes before looking again: short enough to probe and expire on time. */
  int waitMillis() {
    return (int) Math.max(1, Math.min(500, probeNanos / 4_000_000));
  }

  Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }
}
