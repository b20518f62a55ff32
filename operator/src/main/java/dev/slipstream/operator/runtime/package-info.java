/**
 * The operator's half of the runtime's status loop: {@link dev.slipstream.operator.runtime.RuntimeStatusLoop}
 * prunes the entries of {@code status.runtime.pods[]} whose pod is gone or silent
 * ({@link dev.slipstream.operator.runtime.PodReports}, {@link dev.slipstream.operator.runtime.PodEntryRemoval}),
 * scales the runtime Deployment ({@link dev.slipstream.operator.runtime.Autoscaler}) and aggregates the
 * rest of {@code status.runtime}. A part of every round of {@code tenant.TenantReconciler}, the
 * tenant's one controller: it touches no database and writes under its own field manager. It uses
 * neither {@code tenant} nor {@code publication}.
 */
package dev.slipstream.operator.runtime;
