package dev.slipstream.operator.runtime;

/** The values of a runtime pod's {@code role} (see {@code RuntimePodStatus}). */
final class RuntimeRoles {

  /** Holds the tenant's Lease and streams the slot; the other pods say {@code Follower}. */
  static final String LEADER = "Leader";

  private RuntimeRoles() {
  }
}
