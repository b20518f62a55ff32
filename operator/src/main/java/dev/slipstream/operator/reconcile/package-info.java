/**
 * What the tenant and publication reconcilers share, written once: the status written with
 * server-side apply only when it changed, with an Event per condition transition
 * ({@link dev.slipstream.operator.reconcile.StatusWriter}, {@link dev.slipstream.operator.reconcile.ConditionEvents});
 * a thrown failure as a condition's reason and message ({@link dev.slipstream.operator.reconcile.Failure});
 * the reclaim policy on deletion, Retain or Delete, and the force-delete annotation
 * ({@link dev.slipstream.operator.reconcile.ReclaimPolicyCleanup}); and reading what a tenant refers to:
 * its Secrets and the connection settings they make, the publications naming it
 * ({@link dev.slipstream.operator.reconcile.TenantReferences}, {@link dev.slipstream.operator.reconcile.TenantConnections}),
 * a missing one being a {@link dev.slipstream.operator.reconcile.MissingInputException}.
 *
 * <p>Knows neither reconciler: {@code tenant} and {@code publication} depend on it, not on each other.
 */
package dev.slipstream.operator.reconcile;
