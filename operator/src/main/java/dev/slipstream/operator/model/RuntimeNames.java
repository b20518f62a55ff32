package dev.slipstream.operator.model;

/**
 * Names of a tenant's runtime objects, all in the tenant's namespace. The ConfigMap, Deployment,
 * Service, ServiceAccount, Role, RoleBinding and PodDisruptionBudget share one name, and the relay
 * Service and the relay key's Secret another, as kinds keep their names apart.
 *
 * @param tenant the {@code RealtimeTenant}'s name
 */
public record RuntimeNames(String tenant) {

  static final String RUNTIME_SUFFIX = "-runtime";

  static final String RELAY_SUFFIX = "-runtime-relay";

  static final String LEADER_LEASE_SUFFIX = "-runtime-leader";

  /** {@code <tenant>-runtime}: the name of every runtime object except the relay Service and the Lease. */
  public String runtime() {
    return tenant + RUNTIME_SUFFIX;
  }

  /** {@code <tenant>-runtime-relay}: the headless Service through which pods reach each other. */
  public String relayService() {
    return tenant + RELAY_SUFFIX;
  }

  /** {@code <tenant>-runtime-relay}: the Secret holding the key the pods authenticate the relay with. */
  public String relayKeySecret() {
    return tenant + RELAY_SUFFIX;
  }

  /** {@code <tenant>-runtime-leader}: the Lease whose holder streams from the slot. */
  public String leaderLease() {
    return tenant + LEADER_LEASE_SUFFIX;
  }
}
