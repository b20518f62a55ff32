package dev.slipstream.operator.runtime;

import dev.slipstream.api.v1alpha1.AutoscalingMode;
import dev.slipstream.api.v1alpha1.PendingScaleDown;
import dev.slipstream.operator.model.RuntimeScaling;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The replica count of a tenant's runtime Deployment, decided from what the pods report (mode
 * Operator) or from {@code spec.runtime.replicas.desired} (mode External). Pure: the current count,
 * the clients, the scale-down in wait and the clock come in; the count to set, the wait to keep and
 * the Event that explains it come out.
 *
 * <p>Mode Operator: {@code wanted = clamp(ceil(clients / targetClientsPerReplica), min, max)}.
 * <ul>
 *   <li>wanted above the current count (or the current count outside min..max): set at once;
 *   <li>wanted below: a scale-down waits in {@code status.runtime.pendingScaleDown} (since when,
 *       and the highest count wanted since). Once the wanted count has stayed below the current one
 *       for {@code scaleDownStabilization}, the runtime is scaled down to that highest count, never
 *       lower: like a HorizontalPodAutoscaler's stabilization window, clients that come and go within
 *       the window do not make pods come and go;
 *   <li>the wanted count back at the current one cancels the wait;
 *   <li>a ready pod that has not reported (its clients unknown) holds the scale-down back: the sum
 *       is then a lower bound, good for scaling up, not down.
 * </ul>
 *
 * <p>Mode External: the Deployment gets {@code replicas.desired} (the API server keeps it within
 * min..max; clamped here as well), at once either way.
 */
final class Autoscaler {

  static final String SCALED_UP = "ScaledUp";
  static final String SCALED_DOWN = "ScaledDown";
  static final String SCALE_DOWN_PENDING = "ScaleDownPending";
  static final String SCALE_DOWN_CANCELLED = "ScaleDownCancelled";

  /** A decision worth an Event on the tenant (type Normal). */
  record Explained(String reason, String message) {
  }

  /**
   * @param replicas what the Deployment's {@code spec.replicas} is to be (the current count when unchanged)
   * @param pending the scale-down to keep waiting, or null
   * @param event the Event explaining the decision, or null when nothing was decided
   * @param recheckAt when to look again without any news (the end of the wait), or null
   * @param heldBack why a lower wanted count does not count now (ready pods without a report), or null
   */
  record Decision(int replicas, PendingScaleDown pending, Explained event, Instant recheckAt, String heldBack) {
  }

  private Autoscaler() {
  }

  /**
   * @param current the Deployment's {@code spec.replicas}
   * @param clients the live pods' clients
   * @param unreported ready pods that have not reported
   * @param pending the scale-down in wait, from the status, or null
   */
  static Decision decide(RuntimeScaling scaling, int current, long clients, List<String> unreported,
      PendingScaleDown pending, Instant now) {
    if (scaling.mode() == AutoscalingMode.EXTERNAL) {
      return external(scaling, current);
    }
    long forClients = scaling.podsFor(clients);
    int wanted = scaling.clamp(forClients);
    String why = why(scaling, clients, forClients, wanted);
    if (wanted > current) {
      return new Decision(wanted, null, new Explained(SCALED_UP, scaled(current, wanted, why)), null, null);
    }
    if (current > scaling.max()) {
      return new Decision(scaling.max(), null, new Explained(SCALED_DOWN,
          scaled(current, scaling.max(), "replicas.max is " + scaling.max())), null, null);
    }
    if (wanted == current) {
      return pending == null ? new Decision(current, null, null, null, null)
          : new Decision(current, null, new Explained(SCALE_DOWN_CANCELLED, "Not scaling runtime down from " + current
              + " after all: " + why), null, null);
    }
    // wanted < current: a scale-down, after the window, on complete reports only.
    Instant since = pending == null ? null : PodReports.instant(pending.getSince());
    if (!unreported.isEmpty()) {
      String held = "ready pod(s) " + String.join(", ", unreported) + " have not reported their clients";
      return new Decision(current, pending, null, null, held);
    }
    if (since == null || pending.getReplicas() == null || pending.getReplicas() >= current) {
      Instant at = now.plus(scaling.scaleDownStabilization());
      if (!at.isAfter(now)) {
        return new Decision(wanted, null, new Explained(SCALED_DOWN, scaled(current, wanted, why)), null, null);
      }
      PendingScaleDown started = new PendingScaleDown(now.truncatedTo(ChronoUnit.MILLIS).toString(), wanted);
      return new Decision(current, started, new Explained(SCALE_DOWN_PENDING, "Would scale runtime down from "
          + current + " to " + wanted + ": " + why + "; waiting until that has held for "
          + window(scaling) + " (scaleDownStabilization), until " + secondUp(at)), at, null);
    }
    int highest = Math.max(pending.getReplicas(), wanted);
    Instant at = since.plus(scaling.scaleDownStabilization());
    if (now.isBefore(at)) {
      return new Decision(current, new PendingScaleDown(pending.getSince(), highest), null, at, null);
    }
    String reason = highest == wanted ? why + ", for " + window(scaling) + " (scaleDownStabilization)"
        : "the most wanted over the last " + window(scaling) + " (scaleDownStabilization); now " + why;
    return new Decision(highest, null, new Explained(SCALED_DOWN, scaled(current, highest, reason)), null, null);
  }

  private static Decision external(RuntimeScaling scaling, int current) {
    if (scaling.desired() == null) {
      return new Decision(current, null, null, null, null);
    }
    int target = scaling.clamp(scaling.desired());
    if (target == current) {
      return new Decision(current, null, null, null, null);
    }
    String why = "spec.runtime.replicas.desired is " + scaling.desired()
        + (target != scaling.desired() ? ", kept within replicas.min..replicas.max " + scaling.min() + ".." + scaling.max() : "")
        + " (autoscaling.mode External: kubectl scale or a HorizontalPodAutoscaler)";
    return new Decision(target, null, new Explained(target > current ? SCALED_UP : SCALED_DOWN,
        scaled(current, target, why)), null, null);
  }

  /** "25,000 clients over a target of 10,000 per replica", and the bound that decided, if one did. */
  private static String why(RuntimeScaling scaling, long clients, long forClients, int wanted) {
    String load = count(clients) + " client" + (clients == 1 ? "" : "s") + " over a target of "
        + count(scaling.targetClientsPerReplica()) + " per replica";
    if (forClients > wanted) {
      return load + " want " + forClients + ", capped at replicas.max " + scaling.max();
    }
    if (forClients < wanted) {
      return load + (forClients == 0 ? "" : " want " + forClients) + ", and replicas.min is " + scaling.min();
    }
    return load;
  }

  /** The moment to the next whole second, for people: never earlier than it. */
  private static Instant secondUp(Instant at) {
    Instant second = at.truncatedTo(ChronoUnit.SECONDS);
    return second.equals(at) ? at : second.plusSeconds(1);
  }

  private static String scaled(int from, int to, String why) {
    return "Scaled runtime from " + from + " to " + to + ": " + why;
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String window(RuntimeScaling scaling) {
    Duration window = scaling.scaleDownStabilization();
    if (window.toMillisPart() != 0 || window.isZero()) {
      return window.toMillis() + "ms";
    }
    StringBuilder text = new StringBuilder();
    if (window.toHours() > 0) {
      text.append(window.toHours()).append('h');
    }
    if (window.toMinutesPart() > 0) {
      text.append(window.toMinutesPart()).append('m');
    }
    if (window.toSecondsPart() > 0) {
      text.append(window.toSecondsPart()).append('s');
    }
    return text.toString();
  }
}
