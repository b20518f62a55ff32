package dev.slipstream.operator.tenant.dependent;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a runtime Deployment's spec is still the one the operator's last apply left, without
 * caching the spec: the pod template (containers, environment, probes, volumes) is most of a
 * Deployment, and {@link AppliedState}'s value check would need all of it. Instead the cache keeps a
 * digest of the spec as the server holds it ({@link #trim}), and this process remembers the digest
 * of the spec the server returned to its own last apply of each Deployment. Equal digests: nobody
 * has changed the spec since (the server's defaults are in both). {@code spec.replicas} is left out
 * of both: it is the runtime status loop's, which changes it on its own.
 *
 * <p>What this process has not applied itself (after a restart, or a Deployment someone else
 * created) does not match, and is applied once: server-side apply of an unchanged object changes
 * nothing on the server.
 */
public final class AppliedTemplates {

  /** Where the cached copy keeps the digest of the spec it was trimmed from (not a field of the API). */
  static final String SPEC_DIGEST = RealtimeTenant.GROUP + "/spec-digest";

  private final Map<String, String> applied = new ConcurrentHashMap<>();

  /** Remembers the spec the server returned to the operator's apply. */
  void applied(Deployment deployment, KubernetesSerialization serialization) {
    applied.put(key(deployment), specDigest(deployment, serialization));
  }

  /** Whether the Deployment's spec is still the one the server returned to this process's last apply. */
  boolean unchanged(Deployment deployment, KubernetesSerialization serialization) {
    String remembered = applied.get(key(deployment));
    return remembered != null && remembered.equals(specDigest(deployment, serialization));
  }

  /** Forgets the tenant's Deployment (it is being deleted with the tenant). */
  public void forget(RealtimeTenant tenant, String deploymentName) {
    applied.remove(tenant.getMetadata().getNamespace() + "/" + deploymentName);
  }

  /**
   * What the cache keeps of a Deployment: the metadata without {@code managedFields},
   * {@code spec.replicas}, the digest of the rest of the spec, and of the status only the pod
   * counts (what {@code RuntimePodsReady}, the status loop and {@link DeploymentChanges} read).
   */
  static Deployment trim(Deployment deployment, KubernetesSerialization serialization) {
    deployment.getMetadata().setManagedFields(null);
    if (deployment.getSpec() != null) {
      DeploymentSpec kept = new DeploymentSpec();
      kept.setReplicas(deployment.getSpec().getReplicas());
      kept.setAdditionalProperty(SPEC_DIGEST, specDigest(deployment, serialization));
      deployment.setSpec(kept);
    }
    if (deployment.getStatus() != null) {
      DeploymentStatus kept = new DeploymentStatus();
      kept.setReplicas(deployment.getStatus().getReplicas());
      kept.setReadyReplicas(deployment.getStatus().getReadyReplicas());
      deployment.setStatus(kept);
    }
    return deployment;
  }

  /** The digest of the spec but {@code replicas}: kept by {@link #trim}, or of the whole spec when untrimmed. */
  static String specDigest(Deployment deployment, KubernetesSerialization serialization) {
    DeploymentSpec spec = deployment.getSpec();
    if (spec == null) {
      return "";
    }
    Object kept = spec.getAdditionalProperties() == null ? null : spec.getAdditionalProperties().get(SPEC_DIGEST);
    if (kept instanceof String digest) {
      return digest;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> fields = serialization.convertValue(spec, Map.class);
    fields.remove("replicas");
    return AppliedState.digestOf(fields, serialization);
  }

  private static String key(Deployment deployment) {
    return deployment.getMetadata().getNamespace() + "/" + deployment.getMetadata().getName();
  }
}
