package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The tenant's RealtimePublications and the PublicationsReady condition they add up to.
 *
 * <p>A tenant without publications is PublicationsReady=True with the message "no publications":
 * it is a valid, if idle, state (the runtime streams nothing until one is added), and treating it as
 * False would keep every freshly created tenant from becoming Ready before its first publication.
 */
final class TenantPublications {

  static final String PUBLICATIONS_NOT_READY = "PublicationsNotReady";
  private static final String NOT_RECONCILED = "not reconciled yet";

  private TenantPublications() {
  }

  /**
   * Publications of the tenant's namespace, each mapped to the tenant its {@code spec.tenantRef}
   * names: a publication turning Ready (or not) updates PublicationsReady at once, not at the next
   * recheck. Only the changes the tenant reads: the spec (generation: names, tables, access rules),
   * the Ready condition's status and reason, and deletion; not the publication's other status writes.
   *
   * <p>Except while the tenant waits for its first ready runtime pod ({@code waitingForPods}): then a
   * publication's arrival and its readiness do not bring the tenant back on their own; the pod's
   * readiness will, and its round reads the publications ({@link ProvisioningWaits}).
   * A spec change or a deletion always brings the tenant back.
   */
  static InformerEventSource<RealtimePublication, RealtimeTenant> eventSource(EventSourceContext<RealtimeTenant> context,
      Predicate<ResourceID> waitingForPods) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(RealtimePublication.class, RealtimeTenant.class)
        .withName("publications")
        // The tenant reads spec and status; server-side apply's bookkeeping would be most of each cached copy.
        .withItemStore(TrimmedItemStore.forOneInformer(context, TrimmedItemStore::withoutManagedFields))
        .withOnAddFilter(p -> arrivalMatters(p, waitingForPods))
        .withOnUpdateFilter((RealtimePublication next, RealtimePublication previous) ->
            changeMatters(next, previous, waitingForPods))
        .withSecondaryToPrimaryMapper((RealtimePublication p) -> tenantOf(p).map(Set::of).orElse(Set.of()))
        .build(), context);
  }

  /** Whether a publication's arrival brings its tenant back: unless the tenant waits for its pods. */
  static boolean arrivalMatters(RealtimePublication publication, Predicate<ResourceID> waitingForPods) {
    return tenantOf(publication).filter(waitingForPods.negate()).isPresent();
  }

  /** Whether a publication's update brings its tenant back (see {@link #eventSource}). */
  static boolean changeMatters(RealtimePublication next, RealtimePublication previous,
      Predicate<ResourceID> waitingForPods) {
    if (!Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
        || next.isMarkedForDeletion() != previous.isMarkedForDeletion()) {
      return true;
    }
    return !readiness(next).equals(readiness(previous)) && arrivalMatters(next, waitingForPods);
  }

  /** The tenant a publication names, if it names one. */
  private static Optional<ResourceID> tenantOf(RealtimePublication p) {
    return p.getSpec() == null || p.getSpec().getTenantRef() == null || p.getSpec().getTenantRef().getName() == null
        ? Optional.empty() : Optional.of(new ResourceID(p.getSpec().getTenantRef().getName(), p.getMetadata().getNamespace()));
  }

  /**
   * The publications whose {@code spec.tenantRef} names the tenant, by name, from the informer of
   * {@link #eventSource} (its index from publication to tenant), not listed from the API server: a
   * list per reconcile would read every publication of the namespace each time. A publication the
   * cache has not seen yet triggers a reconcile of its own when it arrives.
   */
  static List<RealtimePublication> of(Context<RealtimeTenant> context, RealtimeTenant tenant) {
    String name = tenant.getMetadata().getName();
    return context.getSecondaryResources(RealtimePublication.class).stream()
        .filter(p -> p.getSpec() != null && p.getSpec().getTenantRef() != null
            && name.equals(p.getSpec().getTenantRef().getName()))
        .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
        .toList();
  }

  /** True when every publication is Ready; False naming each one that is not, with its reason. */
  static Condition condition(List<RealtimePublication> publications) {
    if (publications.isEmpty()) {
      return Condition.isTrue(ConditionTypes.PUBLICATIONS_READY, Reasons.AVAILABLE, "no publications");
    }
    List<String> notReady = publications.stream()
        .filter(p -> !ready(p))
        .map(p -> p.getMetadata().getName() + " (" + reason(p) + ")")
        .toList();
    if (notReady.isEmpty()) {
      return Condition.isTrue(ConditionTypes.PUBLICATIONS_READY, Reasons.AVAILABLE,
          publications.size() + " publication(s) ready");
    }
    // Publications not reconciled yet are work in progress, as the runtime's starting pods are: no
    // Warning for every new tenant whose first round comes before its publication's.
    boolean inProgress = publications.stream().filter(p -> !ready(p)).allMatch(TenantPublications::notReconciled);
    return Condition.isFalse(ConditionTypes.PUBLICATIONS_READY, inProgress ? Reasons.RECONCILING : PUBLICATIONS_NOT_READY,
        notReady.size() + " of " + publications.size() + " publication(s) not ready: "
            + notReady.stream().collect(Collectors.joining(", ")));
  }

  /** Whether the publication's reconciler has not said yet whether it is Ready. */
  static boolean notReconciled(RealtimePublication publication) {
    return NOT_RECONCILED.equals(reason(publication));
  }

  private static boolean ready(RealtimePublication publication) {
    return publication.getStatus() != null && Conditions.isTrue(publication.getStatus().getConditions(),
        ConditionTypes.READY);
  }

  /** What {@link #condition} reads of one publication's status. */
  static String readiness(RealtimePublication publication) {
    return ready(publication) + "/" + reason(publication);
  }

  private static String reason(RealtimePublication publication) {
    return publication.getStatus() == null ? NOT_RECONCILED
        : Conditions.find(publication.getStatus().getConditions(), ConditionTypes.READY)
            .map(Condition::getReason).orElse(NOT_RECONCILED);
  }
}
