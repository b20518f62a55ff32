package dev.slipstream.operator;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
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
 * are merged by JOSDK, so triggers can outnumber reconciles.
 *
 * <p>JOSDK gives the timer's and the informers' events the same class; they are told apart by the
 * thread delivering them ({@code java.util.Timer}'s threads are named {@code Timer-N}).
 */
final class ReconcileTriggers implements Metrics {

  static final String METRIC = "slipstream.operator.reconcile.triggers";

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

  static String trigger(Event event) {
    if (event instanceof ResourceEvent resourceEvent) {
      return "primary-" + resourceEvent.getAction();
    }
    return Thread.currentThread().getName().startsWith("Timer-") ? "timer" : "secondary";
  }
}
