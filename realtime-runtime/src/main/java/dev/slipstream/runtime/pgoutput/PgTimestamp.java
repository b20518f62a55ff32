package dev.slipstream.runtime.pgoutput;

import java.time.Instant;

/**
 * PostgreSQL {@code TimestampTz} on the wire: an Int64 of microseconds since the PostgreSQL
 * epoch, 2000-01-01 00:00:00 UTC. Messages keep the raw value (exact, and what standby status
 * updates send back); this converts when a caller wants an {@link Instant}.
 */
public final class PgTimestamp {

  /** 2000-01-01T00:00:00Z. */
  public static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private static final long POSTGRES_EPOCH_SECONDS = POSTGRES_EPOCH.getEpochSecond();
  private static final long MICROS_PER_SECOND = 1_000_000L;

  private PgTimestamp() {}

  /**
   * Never throws: every int64 fits in {@link Instant}'s range (±292,000 years of microseconds),
   * including PostgreSQL's {@code -infinity}/{@code infinity} sentinels (Long.MIN/MAX_VALUE).
   */
  public static Instant toInstant(long microsSincePostgresEpoch) {
    long seconds = Math.floorDiv(microsSincePostgresEpoch, MICROS_PER_SECOND);
    long micros = Math.floorMod(microsSincePostgresEpoch, MICROS_PER_SECOND);
    return Instant.ofEpochSecond(POSTGRES_EPOCH_SECONDS + seconds, micros * 1_000L);
  }

  /**
   * The wire value for an instant, truncated to microseconds.
   *
   * @throws ArithmeticException if the instant is outside the int64 microsecond range
   */
  public static long toMicros(Instant instant) {
    long seconds = Math.subtractExact(instant.getEpochSecond(), POSTGRES_EPOCH_SECONDS);
    return Math.addExact(Math.multiplyExact(seconds, MICROS_PER_SECOND), instant.getNano() / 1_000L);
  }
}
