package dev.slipstream.operator.runtime;

/** The values of a runtime pod's {@code role} (see {@code RuntimePodStatus}). */
final class RuntimeRoles {

  static final String LEADER = "Leader";
  static final String FOLLOWER = "Follower";

  private RuntimeRoles() {
  }
}
