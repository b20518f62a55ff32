package dev.slipstream.operator.publication;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.reconcile.MissingInputException;
import dev.slipstream.operator.reconcile.TrimmedItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The tenant a publication's {@code spec.tenantRef} names, from an informer of tenants instead of
 * a GET per reconcile. The publication reads the tenant's spec only (its database and credentials
 * Secret), so the cache keeps the metadata without {@code managedFields} and the spec, not the
 * status the tenant's pods rewrite every few seconds; and only a spec change, a tenant's creation or
 * its deletion brings the publications that name it back. A tenant created after its publication
 * is seen at once, not at the next recheck.
 */
final class PublicationTenants {

  private PublicationTenants() {
  }

  static InformerEventSource<RealtimeTenant, RealtimePublication> eventSource(
      EventSourceContext<RealtimePublication> context) {
    return new InformerEventSource<>(InformerEventSourceConfiguration.from(RealtimeTenant.class, RealtimePublication.class)
        .withName("tenants")
        .withItemStore(TrimmedItemStore.forOneInformer(context, () -> new TrimmedItemStore<>(tenant -> {
          tenant.getMetadata().setManagedFields(null);
          tenant.setStatus(null);
          return tenant;
        })))
        .withOnUpdateFilter((RealtimeTenant next, RealtimeTenant previous) ->
            !Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration()))
        .withPrimaryToSecondaryMapper((RealtimePublication p) -> tenantRef(p) == null ? Set.of()
            : Set.of(new ResourceID(tenantRef(p), p.getMetadata().getNamespace())))
        .withSecondaryToPrimaryMapper(tenant -> context.getPrimaryCache()
            .list(tenant.getMetadata().getNamespace(), p -> tenant.getMetadata().getName().equals(tenantRef(p)))
            .map(ResourceID::fromResource)
            .collect(Collectors.toSet()))
        .build(), context);
  }

  /** The tenant, or a {@link MissingInputException} (TenantNotFound) naming {@code spec.tenantRef}. */
  static RealtimeTenant of(Context<RealtimePublication> context, RealtimePublication publication) {
    return context.getSecondaryResource(RealtimeTenant.class).orElseThrow(() -> new MissingInputException(
        MissingInputException.TENANT_NOT_FOUND, "RealtimeTenant " + publication.getMetadata().getNamespace() + "/"
        + tenantRef(publication) + " (spec.tenantRef) does not exist"));
  }

  private static String tenantRef(RealtimePublication publication) {
    return publication.getSpec() == null || publication.getSpec().getTenantRef() == null ? null
        : publication.getSpec().getTenantRef().getName();
  }
}
