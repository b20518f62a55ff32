package dev.slipstream.operator.reconcile;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to look at a resource again: the interval, plus up to a tenth of it at random. Resources
 * applied together (a thousand tenants from one {@code kubectl apply}) would otherwise be rechecked
 * in the same second, interval after interval, for as long as they exist: each recheck is a
 * database session and a reconcile thread, and a burst of them delays the work of resources that
 * are still provisioning.
 */
public final class Recheck {

  private Recheck() {
  }

  /** The interval, stretched by a random 0–10%. */
  public static Duration after(Duration interval) {
    long millis = interval.toMillis();
    return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(millis / 10 + 1));
  }

  /**
   * The interval between rechecks of one of {@code resources} rechecked alike, paced so that they add
   * up to at most {@code perSecond} rechecks a second: the configured interval, or longer when there
   * are more resources than {@code perSecond} times its seconds. Each recheck of a tenant is a
   * database session and a reconcile thread's time; a thousand tenants rechecked every 30 s would
   * keep the reconcile threads busy with 33 a second, and a new tenant would queue behind them.
   */
  public static Duration paced(Duration interval, int resources, int perSecond) {
    Duration share = Duration.ofMillis(1000L * resources / Math.max(1, perSecond));
    return share.compareTo(interval) > 0 ? share : interval;
  }

  /** The earlier of two moments to look again, either of which may be null (no need to). */
  public static Instant earliest(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }
}
