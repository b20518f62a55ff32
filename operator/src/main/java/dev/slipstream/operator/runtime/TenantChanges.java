package dev.slipstream.operator.runtime;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.List;
import java.util.Objects;

/**
 * Which changes of a tenant the runtime reconciler reacts to. It does not use generation-aware
 * filtering because the pods' reports ({@code status.runtime.pods[]}) are status, but the other
 * status writes (the tenant reconciler's conditions, slot and endpoints, and this reconciler's own
 * {@code status.runtime}) tell it nothing: reacting to them cost a reconcile per write, several per
 * tenant while it provisions, and one per tenant per slot-lag refresh.
 *
 * <p>A tenant that has no status yet is new: the tenant reconciler has not run, so no Deployment,
 * pod or report of it exists, and a round on its creation would find nothing to do (one reconcile
 * per tenant, for nothing). Its add is let through only once it has a status ({@link OnAdd}: an
 * operator starting on tenants that exist), and the tenant reconciler's first status write is let
 * through as the news instead ({@link OnUpdate}). That write is what lets the Pod and Deployment
 * informers' events in: JOSDK drops them for a tenant none of whose own events it has processed.
 * It follows the Deployment's apply in the same tenant reconcile, and the tenant reconciler always
 * writes a status on its first round (a finding, or a failure through its error status), so no
 * Deployment or pod event of a tenant is lost for good: one that arrives before the write is
 * dropped, and the round the write brings reads the Deployment and the pods from the caches.
 */
public final class TenantChanges {

  private TenantChanges() {
  }

  /** A tenant that already has a status (the operator starting on it); not a new one. */
  public static final class OnAdd implements OnAddFilter<RealtimeTenant> {
    @Override
    public boolean accept(RealtimeTenant tenant) {
      return tenant.getStatus() != null;
    }
  }

  /** The first status, the spec (generation), the pods' entries, or the start of deletion. */
  public static final class OnUpdate implements OnUpdateFilter<RealtimeTenant> {
    @Override
    public boolean accept(RealtimeTenant next, RealtimeTenant previous) {
      return previous.getStatus() == null && next.getStatus() != null
          || !Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
          || next.isMarkedForDeletion() != previous.isMarkedForDeletion()
          || !pods(next).equals(pods(previous));
    }
  }

  /** The entries as JSON: {@link RuntimePodStatus} has no {@code equals}. */
  static String pods(RealtimeTenant tenant) {
    List<RuntimePodStatus> pods = tenant.getStatus() == null || tenant.getStatus().getRuntime() == null
        || tenant.getStatus().getRuntime().getPods() == null ? List.of() : tenant.getStatus().getRuntime().getPods();
    return Serialization.asJson(pods);
  }
}
