package dev.slipstream.operator.runtime;

import dev.slipstream.operator.reconcile.TrimmedItemStore;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;

/**
 * What the status loop's informer keeps of the runtime's Pods: what {@link RuntimeStatusLoop}
 * reads, nothing else: the metadata (name, labels, deletion) and the phase and conditions. The pod
 * spec, the container statuses and the {@code managedFields} are most of each Pod.
 */
final class RuntimeCaches {

  private RuntimeCaches() {
  }

  static TrimmedItemStore<Pod> pods() {
    return new TrimmedItemStore<>(pod -> {
      pod.getMetadata().setManagedFields(null);
      pod.setSpec(null);
      if (pod.getStatus() != null) {
        PodStatus kept = new PodStatus();
        kept.setPhase(pod.getStatus().getPhase());
        kept.setConditions(pod.getStatus().getConditions());
        pod.setStatus(kept);
      }
      return pod;
    });
  }

}
