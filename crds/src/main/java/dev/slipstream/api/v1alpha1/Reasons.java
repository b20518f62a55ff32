package dev.slipstream.api.v1alpha1;

/**
 * Condition reasons shared by the operator and the runtime. Each one names a state a platform
 * engineer can act on; the condition's message carries the specifics.
 */
public final class Reasons {

  /** Everything is as specified. */
  public static final String AVAILABLE = "Available";
  /** Work is under way (a first reconcile, a rollout). */
  public static final String RECONCILING = "Reconciling";
  /** The spec is valid for the API server but cannot be acted on; the message says why. */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** A condition this one depends on is not True yet. */
  public static final String DEPENDENCY_NOT_READY = "DependencyNotReady";

  private Reasons() {
  }
}
