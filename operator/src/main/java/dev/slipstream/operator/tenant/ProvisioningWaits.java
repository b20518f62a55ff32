package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.RealtimePublication;
import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.operator.model.RuntimeNames;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * The two things a new tenant waits for once its database and slot are ready, each settled by an
 * event of its own: its first ready runtime pod (its Deployment's) and the first reconcile of each
 * of its publications (the publication's status). The tenant is not Ready before both. So the event
 * that settles the first of the two does not wake the tenant; the one that settles the second does,
 * and its round reads both from the informers' caches.
 *
 * <p>Why this cannot lose the news: an informer puts an object in its cache before it tells anyone
 * of it, and each filter here reads the other informer's cache. Of two events that settle the two
 * waits, the one whose filter runs last sees both settled and passes. Anything else a filter holds
 * back (a pod count that moved, a publication's readiness) is read by the tenant's next round, at
 * the latest its recheck ({@code SLIPSTREAM_RECHECK_INTERVAL}), should the other wait never end (a
 * pod that never becomes ready). What it saves: the round of its own that the first of the two cost
 * most new tenants ({@code bin/bench operator}).
 *
 * <p>Told of the two informers once they exist ({@link #watch}); until then nothing is held back.
 */
final class ProvisioningWaits {

  private volatile InformerEventSource<Deployment, RealtimeTenant> deployments;
  private volatile InformerEventSource<RealtimePublication, RealtimeTenant> publications;

  void watch(InformerEventSource<Deployment, RealtimeTenant> deployments,
      InformerEventSource<RealtimePublication, RealtimeTenant> publications) {
    this.deployments = deployments;
    this.publications = publications;
  }

  /** Whether no runtime pod of the tenant is ready: its Deployment absent, or none of its pods ready. */
  boolean waitingForPods(ResourceID tenant) {
    InformerEventSource<Deployment, RealtimeTenant> source = deployments;
    if (source == null) {
      return false;
    }
    ResourceID runtime = new ResourceID(new RuntimeNames(tenant.getName()).runtime(), tenant.getNamespace().orElse(null));
    return source.get(runtime)
        .map(d -> d.getStatus() == null || d.getStatus().getReadyReplicas() == null || d.getStatus().getReadyReplicas() == 0)
        .orElse(true);
  }

  /** Whether a publication naming the tenant has not been reconciled yet (it has no Ready condition). */
  boolean waitingForPublications(ResourceID tenant) {
    InformerEventSource<RealtimePublication, RealtimeTenant> source = publications;
    if (source == null) {
      return false;
    }
    // The informer's index from tenant to publications (the mapper's), keyed by the tenant's name and namespace.
    RealtimeTenant key = new RealtimeTenant();
    key.setMetadata(new ObjectMetaBuilder().withName(tenant.getName()).withNamespace(tenant.getNamespace().orElse(null))
        .build());
    return source.getSecondaryResources(key).stream().anyMatch(TenantPublications::notReconciled);
  }
}
