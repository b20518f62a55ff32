/**
 * The RealtimeTenant reconciler: {@link dev.slipstream.operator.tenant.TenantReconciler} and its
 * workflow ({@link dev.slipstream.operator.tenant.TenantWorkflow}: credentials, database, slot, runtime model, the runtime's Kubernetes objects;
 * steps in {@code tenant.dependent}, their conditions in {@code tenant.conditions}) and the mapping
 * of its result to the status ({@link dev.slipstream.operator.tenant.TenantStatus}: named
 * transitions, Ready and the phase), with what sits beside the workflow: PublicationsReady, the lag
 * budget and the slot lag gauge.
 */
package dev.slipstream.operator.tenant;
