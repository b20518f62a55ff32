package dev.slipstream.operator.reconcile;

import java.time.Duration;

/**
 * The tenants' recheck interval as it stands: {@code SLIPSTREAM_RECHECK_INTERVAL}, paced to their
 * number ({@link Recheck#paced}: one recheck per reconcile thread and second). One writer, the
 * tenant reconciler, counts the tenants in its informer's cache each round; its rechecks and the
 * {@link SecretCache}'s copies read the interval, so that a Secret is read once per recheck of the
 * tenant that names it, however many tenants stretch the interval.
 */
public final class RecheckPace {

  private final Duration interval;
  private final int perSecond;
  private volatile int tenants;

  public RecheckPace(Duration interval, int perSecond) {
    this.interval = interval;
    this.perSecond = perSecond;
  }

  /** How many tenants there are now (the tenant reconciler's informer cache). */
  public void count(int tenants) {
    this.tenants = tenants;
  }

  /** The interval between two rechecks of one tenant. */
  public Duration interval() {
    return Recheck.paced(interval, tenants, perSecond);
  }
}
