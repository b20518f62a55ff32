package dev.slipstream.operator.tenant;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.List;
import java.util.Objects;

/**
 * Which updates of a tenant bring its controller back: the spec (generation), the start of
 * deletion, and the pods' reports ({@code status.runtime.pods[]}, which the runtime status loop
 * reads). Not generation-aware filtering, because the pods' reports are status; but not every status
 * write either: the controller's own (conditions, slot, endpoints, and the status loop's
 * {@code status.runtime}) tell it nothing, and reacting to them would cost a round per write,
 * several per tenant while it provisions and one per slot-lag refresh.
 */
public final class TenantChanges implements OnUpdateFilter<RealtimeTenant> {

  @Override
  public boolean accept(RealtimeTenant next, RealtimeTenant previous) {
    return !Objects.equals(next.getMetadata().getGeneration(), previous.getMetadata().getGeneration())
        || next.isMarkedForDeletion() != previous.isMarkedForDeletion()
        || !pods(next).equals(pods(previous));
  }

  /** The entries as JSON: {@link RuntimePodStatus} has no {@code equals}. */
  static String pods(RealtimeTenant tenant) {
    List<RuntimePodStatus> pods = tenant.getStatus() == null || tenant.getStatus().getRuntime() == null
        || tenant.getStatus().getRuntime().getPods() == null ? List.of() : tenant.getStatus().getRuntime().getPods();
    return pods.isEmpty() ? "[]" : Serialization.asJson(pods);
  }
}
