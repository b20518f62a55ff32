package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.Condition;
import dev.slipstream.api.v1alpha1.ConditionTypes;
import dev.slipstream.api.v1alpha1.Conditions;
import dev.slipstream.api.v1alpha1.Reasons;
import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.reconcile.TenantReferences;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Set;
import java.util.List;
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

  private TenantPublications() {
  }

  /**
   * Publications of the tenant's namespace, each mapped to the tenant its {@code spec.tenantRef}
   * names: a publication turning Ready (or not) updates PublicationsReady at once, not at the next
   * recheck.
   */
  static InformerEventSource<RealtimePublication, RealtimeTenant> eventSource(EventSourceContext<RealtimeTenant> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(RealtimePublication.class, RealtimeTenant.class)
        .withName("publications")
        .withSecondaryToPrimaryMapper((RealtimePublication p) -> p.getSpec() == null || p.getSpec().getTenantRef() == null
            || p.getSpec().getTenantRef().getName() == null ? Set.of()
            : Set.of(new ResourceID(p.getSpec().getTenantRef().getName(), p.getMetadata().getNamespace())))
        .build(), context);
  }

  /** The publications whose {@code spec.tenantRef} names the tenant, by name. */
  static List<RealtimePublication> of(KubernetesClient client, RealtimeTenant tenant) {
    return TenantReferences.publicationsOf(client, tenant.getMetadata().getNamespace(), tenant.getMetadata().getName());
  }

  /** True when every publication is Ready; False naming each one that is not, with its reason. */
  static Condition condition(List<RealtimePublication> publications) {
    if (publications.isEmpty()) {
      return Condition.isTrue(ConditionTypes.PUBLICATIONS_READY, Reasons.AVAILABLE, "no publications");
    }
    List<String> notReady = publications.stream()
        .filter(p -> p.getStatus() == null || !Conditions.isTrue(p.getStatus().getConditions(), ConditionTypes.READY))
        .map(p -> p.getMetadata().getName() + " (" + reason(p) + ")")
        .toList();
    if (notReady.isEmpty()) {
      return Condition.isTrue(ConditionTypes.PUBLICATIONS_READY, Reasons.AVAILABLE,
          publications.size() + " publication(s) ready");
    }
    return Condition.isFalse(ConditionTypes.PUBLICATIONS_READY, PUBLICATIONS_NOT_READY,
        notReady.size() + " of " + publications.size() + " publication(s) not ready: "
            + notReady.stream().collect(Collectors.joining(", ")));
  }

  private static String reason(RealtimePublication publication) {
    return publication.getStatus() == null ? "not reconciled yet"
        : Conditions.find(publication.getStatus().getConditions(), ConditionTypes.READY)
            .map(Condition::getReason).orElse("not reconciled yet");
  }
}
