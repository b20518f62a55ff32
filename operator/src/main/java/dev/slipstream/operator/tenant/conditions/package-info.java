/**
 * The tenant workflow's conditions, one predicate per class, each named as the statement it checks
 * and registered as the ready postcondition of one step in {@code TenantWorkflow}. A step whose condition does not hold stops the steps after it without deleting
 * anything; the condition's detail is what the reconciler reports.
 *
 * <p>There are no reconcile preconditions on purpose: in JOSDK an unmet precondition deletes the
 * step and every step after it, which here would delete the runtime's objects when, say, the slot
 * is lost.
 */
package dev.slipstream.operator.tenant.conditions;
