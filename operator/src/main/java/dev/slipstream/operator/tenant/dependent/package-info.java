/**
 * One class per step of the tenant's workflow. The database side is read once per reconcile
 * ({@link dev.slipstream.operator.tenant.dependent.ObservedDependent}): the credentials, the
 * database's fitness, the replication slot (created, replaced when lost and asked, dropped on
 * cleanup), the runtime's model. The Kubernetes side holds only {@code desired()}: one object of the
 * model each, applied by JOSDK with server-side apply and an owner reference.
 *
 * <p>The steps of one reconcile share a {@link dev.slipstream.operator.tenant.dependent.TenantScope}
 * (one database session, the credentials, the operator's settings).
 */
package dev.slipstream.operator.tenant.dependent;
