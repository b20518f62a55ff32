package dev.slipstream.operator.tenant;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether a tenant's round runs the database workflow, or only the runtime status loop. Most rounds
 * of a running tenant are its pods' reports (every few seconds each) and its pod counts moving; a
 * workflow run on each would open a database session and check every step for nothing. The
 * workflow runs when what it reads has changed since its last successful run ({@link WorkflowInputs}:
 * the tenant's spec and annotations, its publications, the runtime's objects), when its recheck is
 * due, on the first round this process gives the tenant, and after a failure once its backoff has
 * passed (doubling from 2 s to 5 min, as JOSDK's retry of the controller) or what it reads has
 * changed: the status loop keeps running meanwhile, and a database that is down is not asked again
 * on every pod report.
 *
 * <p>What it remembers is this process's: an operator that starts (or takes over the Lease) runs
 * every tenant's workflow on its first round, as before.
 */
final class WorkflowGate {

  static final Duration FIRST_RETRY = Duration.ofSeconds(2);
  static final Duration LONGEST_RETRY = Duration.ofMinutes(5);

  /** What the last run saw, when the recheck is due, and the failures since the last success. */
  private record Memo(String inputs, Instant recheckAt, Instant retryAt, int failures) {
  }

  /** Why the workflow runs: the tag of {@code slipstream_operator_workflow_runs_total}. */
  enum Why {
    FIRST, CHANGED, RECHECK, RETRY;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<ResourceID, Memo> memos = new ConcurrentHashMap<>();

  /** Whether the workflow runs this round. */
  boolean due(ResourceID tenant, String inputs, Instant now) {
    return why(tenant, inputs, now) != null;
  }

  /** Why the workflow runs this round, or null when it does not. */
  Why why(ResourceID tenant, String inputs, Instant now) {
    Memo memo = memos.get(tenant);
    if (memo == null) {
      return Why.FIRST;
    }
    if (!inputs.equals(memo.inputs())) {
      return Why.CHANGED;
    }
    Instant dueAt = memo.retryAt() != null ? memo.retryAt() : memo.recheckAt();
    if (dueAt == null || now.isBefore(dueAt)) {
      return null;
    }
    return memo.retryAt() != null ? Why.RETRY : Why.RECHECK;
  }

  /** The workflow ran on {@code inputs}; it looks again at {@code recheckAt} (null: only when they change). */
  void ran(ResourceID tenant, String inputs, Instant recheckAt) {
    memos.put(tenant, new Memo(inputs, recheckAt, null, 0));
  }

  /**
   * The round, given {@code inputs}, failed: the workflow runs again once the backoff has passed, or
   * sooner when what it reads changes (a fixed spec is tried at once); not on a pod's report.
   */
  void failed(ResourceID tenant, String inputs, Instant now) {
    Memo memo = memos.get(tenant);
    int failures = memo == null ? 1 : memo.failures() + 1;
    Duration backoff = FIRST_RETRY.multipliedBy(1L << Math.min(failures - 1, 20));
    memos.put(tenant, new Memo(inputs, null, now.plus(backoff.compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : backoff),
        failures));
  }

  /** When the workflow is due next without any change (its recheck, or its retry), or null. */
  Instant nextDue(ResourceID tenant) {
    Memo memo = memos.get(tenant);
    return memo == null ? null : memo.retryAt() != null ? memo.retryAt() : memo.recheckAt();
  }

  void forget(ResourceID tenant) {
    memos.remove(tenant);
  }
}
