package dev.slipstream.runtime.testing;

import dev.slipstream.api.v1alpha1.RealtimeTenant;
import dev.slipstream.api.v1alpha1.RuntimePodStatus;
import dev.slipstream.runtime.cluster.ClusterSettings;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the tests of a tenant's pods (leader, followers, relay) share: the environment that makes a
 * runtime process one pod of a tenant on a real API server, the tenant it reports to, and who
 * holds the tenant's Lease. Used by {@code ScaleOutIT} and by the hostile-client suite's follower
 * variant.
 */
public final class TenantPods {

  private TenantPods() {
  }

  /**
   * A RealtimeTenant of {@code replicas} pods for the pods to write their status entries to (no
   * operator runs: nothing else reads it).
   */
  public static String tenantManifest(String tenant, int replicas) {
    return """
        apiVersion: realtime.slipstream.dev/v1alpha1
        kind: RealtimeTenant
        metadata:
          name: %s
        spec:
          database:
            host: 127.0.0.1
            name: app
            credentialsSecretRef:
              name: %s-db
          runtime:
            replicas:
              min: %d
              max: %d
        """.formatted(tenant, tenant, replicas, replicas);
  }

  /**
   * The variables that make a runtime one pod of {@code tenant}: its name, its address (the relay's
   * too), the Lease's duration, a status entry every second, the API server's kubeconfig. Put on top
   * of {@link RuntimeProcess#environment}.
   */
  public static void join(Map<String, String> env, String tenant, String namespace, String pod, String host,
      int relayPort, Duration lease, Path kubeconfig) {
    env.put("SLIPSTREAM_HOST", host);
    env.put("SLIPSTREAM_TENANT", tenant);
    env.put("SLIPSTREAM_POD_NAME", pod);
    env.put("SLIPSTREAM_POD_NAMESPACE", namespace);
    env.put("SLIPSTREAM_POD_IP", host);
    env.put("SLIPSTREAM_RELAY_PORT", String.valueOf(relayPort));
    env.put("SLIPSTREAM_LEASE_DURATION", lease.toSeconds() + "s");
    env.put("SLIPSTREAM_STATUS_INTERVAL", "1s");
    env.put("KUBECONFIG", kubeconfig.toAbsolutePath().toString());
  }

  /** The pod holding the tenant's Lease (its identity up to the '@'), or null when nobody does. */
  public static String leaseHolder(KubernetesClient client, String namespace, String tenant) {
    Lease lease = client.leases().inNamespace(namespace).withName(ClusterSettings.defaultLease(tenant)).get();
    String identity = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    return identity == null || identity.isEmpty() ? null : identity.substring(0, identity.indexOf('@'));
  }

  /** The tenant's {@code status.runtime.pods[]}: each pod's own entry. */
  public static List<RuntimePodStatus> podEntries(KubernetesClient client, String namespace, String tenant) {
    RealtimeTenant resource = client.resources(RealtimeTenant.class).inNamespace(namespace).withName(tenant).get();
    if (resource == null || resource.getStatus() == null || resource.getStatus().getRuntime() == null
        || resource.getStatus().getRuntime().getPods() == null) {
      return List.of();
    }
    return resource.getStatus().getRuntime().getPods();
  }
}
