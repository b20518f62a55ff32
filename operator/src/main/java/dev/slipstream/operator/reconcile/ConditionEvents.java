package dev.slipstream.operator.reconcile;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.Reasons;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a Kubernetes Event (core/v1) for every condition that changed between the status a
 * resource had and the one the reconciler is about to write: what {@code kubectl describe} and
 * {@code kubectl get events} show a platform engineer without reading conditions. The runtime's
 * scaling decisions are recorded through the same {@link #record(KubernetesClient, HasMetadata,
 * String, String, String)}.
 *
 * <p>A transition is a new status or a new reason: SecretNotFound followed by DatabaseUnreachable
 * are both False, but each asks for a different fix. Not every transition is news, and each event
 * is an API call inside the reconcile ({@link #worthAnEvent}): the summary condition (Ready) is
 * always recorded; another condition when it becomes a problem (False, for a reason other than work
 * in progress) or recovers from one. A condition that appears True or Unknown, or leaves work in
 * progress, is told by Ready's own event; Ready appearing False only because the resource's own
 * steps are not done yet is told by nothing (its problems have theirs). The type is Warning for False, Normal otherwise. Events
 * are best effort: a failure is logged and never fails the reconcile, because the status (the
 * source of truth) is written regardless.
 */
public final class ConditionEvents {

  /** The component events are reported by. */
  public static final String COMPONENT = "slipstream-operator";
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  private static final Logger LOG = LoggerFactory.getLogger(ConditionEvents.class);
  /** The API server rejects longer event messages. */
  private static final int MAX_MESSAGE = 1024;

  private ConditionEvents() {
  }

  /** Emits one event per condition in {@code next} whose move from {@code previous} is {@link #worthAnEvent worth one}. */
  public static void recordTransitions(KubernetesClient client, HasMetadata resource, List<Condition> previous,
      List<Condition> next) {
    if (next == null) {
      return;
    }
    for (Condition condition : next) {
      if (worthAnEvent(Conditions.find(previous, condition.getType()).orElse(null), condition)) {
        record(client, resource, condition);
      }
    }
  }

  /**
   * Whether the move from {@code before} (null: the condition is new) to {@code after} is recorded:
   * any change of Ready, but its first appearance as False for want of its own other conditions
   * (DependencyNotReady: every new resource starts so, and each problem among those conditions has
   * an event of its own; an API call per resource saved); for the others, a problem appearing or
   * changing its reason, or ending. Work in progress (reason Reconciling) is not a problem: a
   * runtime whose pods are still starting is RuntimeReady=False/Reconciling on every new tenant.
   */
  static boolean worthAnEvent(Condition before, Condition after) {
    if (before != null && Objects.equals(before.getStatus(), after.getStatus())
        && Objects.equals(before.getReason(), after.getReason())) {
      return false;
    }
    if (ConditionTypes.READY.equals(after.getType())) {
      return before != null || !(Condition.FALSE.equals(after.getStatus())
          && Reasons.DEPENDENCY_NOT_READY.equals(after.getReason()));
    }
    return problem(after) || (before != null && problem(before));
  }

  private static boolean problem(Condition condition) {
    return Condition.FALSE.equals(condition.getStatus()) && !Reasons.RECONCILING.equals(condition.getReason());
  }

  private static void record(KubernetesClient client, HasMetadata resource, Condition condition) {
    // The condition's own message: the event's reason already names the state, its type the severity.
    record(client, resource, Condition.FALSE.equals(condition.getStatus()) ? WARNING : NORMAL, condition.getReason(),
        String.valueOf(condition.getMessage()));
  }

  /**
   * Records one event about {@code resource}, best effort: a failure is logged, never thrown (the
   * status, or the change the event explains, stands regardless).
   *
   * @param type {@link #NORMAL} or {@link #WARNING}
   */
  public static void record(KubernetesClient client, HasMetadata resource, String type, String reason, String message) {
    String namespace = resource.getMetadata().getNamespace();
    try {
      String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
      Event event = new EventBuilder()
          .withNewMetadata()
          .withName(resource.getMetadata().getName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
              .toLowerCase(Locale.ROOT))
          .withNamespace(namespace)
          .endMetadata()
          .withNewInvolvedObject()
          .withApiVersion(resource.getApiVersion())
          .withKind(resource.getKind())
          .withName(resource.getMetadata().getName())
          .withNamespace(namespace)
          .withUid(resource.getMetadata().getUid())
          .withResourceVersion(resource.getMetadata().getResourceVersion())
          .endInvolvedObject()
          .withType(type)
          .withReason(reason)
          .withMessage(message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 3) + "..." : message)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .build();
      client.v1().events().inNamespace(namespace).resource(event).create();
    } catch (RuntimeException e) {
      LOG.warn("{}/{}: could not record event {}: {}", namespace, resource.getMetadata().getName(), reason,
          e.getMessage());
    }
  }
}
