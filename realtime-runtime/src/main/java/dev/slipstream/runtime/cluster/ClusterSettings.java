package dev.slipstream.runtime.cluster;

import java.time.Duration;
import java.util.Objects;

/**
 * How a runtime pod takes part in its tenant: which Lease decides who streams the slot, who this
 * pod is, where its relay listens. Absent (null in {@code RuntimeSettings}) when the runtime runs on
 * its own, outside Kubernetes: it then streams the slot itself and reports nowhere.
 *
 * @param tenant the RealtimeTenant's name: whose status entry this pod writes
 * @param namespace the namespace of the pod, the tenant and the Lease
 * @param pod this pod's name: its Lease identity and the key of its status entry
 * @param relayHost the address the other pods reach this pod's relay at (its pod IP)
 * @param lease the tenant's Lease
 * @param relayPort the port the relay listens on (on every address)
 * @param leaseDuration how long the Lease holds without renewal
 * @param statusInterval how often the pod writes its status entry
 * @param relayKey what the pods of the tenant prove to each other on the relay
 *     ({@code SLIPSTREAM_RELAY_KEY}, from the Secret the operator makes); null: the database password
 *     keys it, as it did before the relay had a key of its own (a runtime run by hand)
 */
public record ClusterSettings(String tenant, String namespace, String pod, String relayHost, String lease,
    int relayPort, Duration leaseDuration, Duration statusInterval, String relayKey) {

  /** Without a relay key of its own: the database password keys the relay. */
  public ClusterSettings(String tenant, String namespace, String pod, String relayHost, String lease,
      int relayPort, Duration leaseDuration, Duration statusInterval) {
    this(tenant, namespace, pod, relayHost, lease, relayPort, leaseDuration, statusInterval, null);
  }

  public ClusterSettings {
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(relayHost, "relayHost");
    Objects.requireNonNull(lease, "lease");
    if (leaseDuration.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException("the lease duration must be at least 2s: " + leaseDuration);
    }
    if (statusInterval.isNegative() || statusInterval.isZero()) {
      throw new IllegalArgumentException("the status interval must be positive: " + statusInterval);
    }
    if (relayKey != null && relayKey.isBlank()) {
      relayKey = null;
    }
  }

  /** {@code <tenant>-runtime-leader}: the operator's name for the tenant's Lease. */
  public static String defaultLease(String tenant) {
    return tenant + "-runtime-leader";
  }

  /** The relay address other pods connect to: {@code host:port}. */
  public String relayAddress() {
    return (relayHost.indexOf(':') >= 0 ? "[" + relayHost + "]" : relayHost) + ":" + relayPort;
  }

  /** Never the relay key: this is what logs and errors may show. */
  @Override
  public String toString() {
    return "ClusterSettings[tenant=" + tenant + ", namespace=" + namespace + ", pod=" + pod + ", relayHost="
        + relayHost + ", lease=" + lease + ", relayPort=" + relayPort + ", leaseDuration=" + leaseDuration
        + ", statusInterval=" + statusInterval + ", relayKey=" + (relayKey == null ? "(the database password)"
        : "<redacted>") + "]";
  }
}
