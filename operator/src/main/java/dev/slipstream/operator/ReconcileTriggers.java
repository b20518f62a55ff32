package dev.slipstream.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.source.controller.ResourceEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * Counts what brings each controller to reconcile, as {@code slipstream_operator_reconcile_triggers_total}
 * with tags {@code controller} and {@code trigger}: {@code primary-ADDED}, {@code primary-UPDATED} or
 * {@code primary-DELETED} (the resource itself), {@code timer} (a recheck the reconciler asked for, or
 * a retry after a failure) or {@code secondary} (an event source's informer: Deployments, Services,
 * publications, pods...). Events that arrive while a reconcile of the same resource runs or waits
 * are merged by JOSDK, so triggers can outnumber reconciles. Beside it,
 * {@code slipstream_operator_reconciles_started_total} with tags {@code controller} and {@code retry}:
 * the rounds each controller started (JOSDK's own counter is per resource kind, and the tenant's two
 * controllers share one), a retry after a failure told apart.
 *
 * <p>JOSDK gives the timer's and the informers' events the same class; they are told apart by the
 * thread delivering them ({@code java.util.Timer}'s threads are named {@code Timer-N}).
 */
final class ReconcileTriggers implements Metrics {

  static final String METRIC = "slipstream.operator.reconcile.triggers";
  /** Rounds started, per controller: JOSDK's own counter is per resource kind, which two controllers share. */
  static final String STARTED = "slipstream.operator.reconciles.started";

  private final MeterRegistry registry;

  ReconcileTriggers(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void receivedEvent(Event event, Map<String, Object> metadata) {
    Object controller = metadata == null ? null : metadata.get(Constants.CONTROLLER_NAME);
    registry.counter(METRIC, "controller", controller == null ? "unknown" : controller.toString(),
        "trigger", trigger(event)).increment();
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retry, Map<String, Object> metadata) {
    Object controller = metadata == null ? null : metadata.get(Constants.CONTROLLER_NAME);
    registry.counter(STARTED, "controller", controller == null ? "unknown" : controller.toString(),
        "retry", String.valueOf(retry != null && retry.getAttemptCount() > 0)).increment();
  }

  static String trigger(Event event) {
    if (event instanceof ResourceEvent resourceEvent) {
      return "primary-" + resourceEvent.getAction();
    }
    return Thread.currentThread().getName().startsWith("Timer-") ? "timer" : "secondary";
  }
}
