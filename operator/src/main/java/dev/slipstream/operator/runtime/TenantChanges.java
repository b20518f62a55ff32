package dev.slipstream.operator.runtime;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
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
 * <p>Add events are never filtered: JOSDK drops the events of the Pod and Deployment informers for
 * a tenant whose own events it has not processed yet, so the add is what lets them in.
 */
public final class TenantChanges {

  private TenantChanges() {
  }

  /** The spec (generation), the pods' entries, or the start of deletion. */
  public static final class OnUpdate implements OnUpdateFilter<RealtimeTenant> {
    @Override
    public boolean accept(RealtimeTenant next, RealtimeTenant previous) {
      return !Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
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
